import { z } from 'zod';
import { configSchema } from './schema/root.js';

/** Where the published JSON Schema lives in the repository and the npm package. */
export const CONFIG_JSON_SCHEMA_PATH = 'schema/homeostat.schema.json';

/**
 * The JSON Schema of `homeostat.yaml`, generated from the zod schema (the single source of
 * the keys, their defaults and their descriptions). It describes what a user may *write*
 * (`io: 'input'`): a duration is `"500ms"` or a number, not the milliseconds it parses to.
 * Draft-07, the draft the YAML language server (editors' completion and checks) supports best.
 *
 * @example writeFileSync('schema/homeostat.schema.json', JSON.stringify(configJsonSchema(), null, 2))
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    target: 'draft-07',
    io: 'input',
    // Transforms and refinements check more than JSON Schema can say; their input shape is what counts here.
    unrepresentable: 'any',
    override: (ctx) => {
      const schema = ctx.jsonSchema as Record<string, unknown>;
      const def = ctx.zodSchema._zod.def as { type: string; defaultValue?: unknown };
      // zod leaves out the default of a transformed type (a duration's `.default(1_000)`) in
      // input mode; those defaults are numbers, which the input accepts as they are.
      if (def.type === 'default' && schema.default === undefined) schema.default = def.defaultValue;
      // `.int()` adds the safe-integer bounds: noise in an editor's hover.
      if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
      if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
      // `startsWith('/')` also gives a `pattern`; its `format: "starts_with"` is zod's own
      // name, which no JSON Schema validator knows (some editors warn about it).
      if (schema.format === 'starts_with' || schema.format === 'ends_with' || schema.format === 'includes') delete schema.format;
    },
  }) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    title: 'homeostat.yaml',
    description: 'The configuration of homeostat (`homeostat up -c homeostat.yaml`). Reference: docs/config-reference.md.',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}
