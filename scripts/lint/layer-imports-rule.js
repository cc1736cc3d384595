// ESLint rule `homeostat/layer-imports`: an import between two folders of src/ that
// LAYERS does not allow is an error naming both folders and the allowed ones, so a new
// violation fails `npm run lint` (and CI) at the line that adds it.
import { dirname, relative, resolve, sep } from 'node:path';
import { LAYERS, PUBLIC_API, TESTING_API } from './layers.js';

/**
 * Where a file sits: `{ kind: 'layer', name }` for src/<name>/…, `public-api` for
 * src/index.ts and src/testing/index.ts (the package's two entries), `example` under examples/,
 * `free` for tests and everything else.
 */
function placeOf(file, root) {
  const path = relative(root, file).split(sep).join('/');
  if (path.startsWith('..')) return { kind: 'free' };
  if (/\.test\.[cm]?[jt]s$/.test(path) || path.startsWith('test/')) return { kind: 'free' };
  for (const entry of [PUBLIC_API, TESTING_API]) if (path === entry || path === entry.replace(/\.ts$/, '.js')) return { kind: 'public-api' };
  if (path.startsWith('examples/')) return { kind: 'example' };
  const layer = /^src\/([^/]+)\//.exec(path);
  if (layer) return { kind: 'layer', name: layer[1] };
  return { kind: 'free' };
}

/** The rule, for a repository rooted at `root` (the folder holding src/). */
export function layerImportsRule(root) {
  return {
    meta: {
      type: 'problem',
      docs: { description: 'imports between the folders of src/ follow the layer rules of docs/architecture.md' },
      schema: [],
      messages: {
        notAllowed: "src/{{from}}/ may not import src/{{to}}/ (it may import: {{allowed}}); see docs/architecture.md, 'The parts'",
        unknownLayer: 'src/{{from}}/ is not in the layer table (scripts/lint/layers.js): add it with the folders it may import',
        examplePublicApi: 'an example imports only the public API (src/index.js), not {{target}}',
      },
    },
    create(context) {
      const file = context.filename;
      const from = placeOf(file, root);
      if (from.kind === 'free' || from.kind === 'public-api') return {};
      function check(node, source) {
        if (typeof source !== 'string' || !source.startsWith('.')) return;
        const target = resolve(dirname(file), source);
        const to = placeOf(target.replace(/\.js$/, '.ts'), root);
        if (from.kind === 'example') {
          if (to.kind === 'layer' || (to.kind === 'free' && relative(root, target).startsWith('src'))) {
            context.report({ node, messageId: 'examplePublicApi', data: { target: relative(root, target) } });
          }
          return;
        }
        if (to.kind !== 'layer' || to.name === from.name) return;
        const allowed = LAYERS[from.name];
        if (!allowed) {
          context.report({ node, messageId: 'unknownLayer', data: { from: from.name } });
          return;
        }
        if (!allowed.includes(to.name)) {
          context.report({ node, messageId: 'notAllowed', data: { from: from.name, to: to.name, allowed: allowed.length > 0 ? allowed.map((l) => `${l}/`).join(', ') : 'no other folder' } });
        }
      }
      return {
        ImportDeclaration: (node) => check(node.source, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
        ExportAllDeclaration: (node) => check(node.source, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value),
      };
    },
  };
}
