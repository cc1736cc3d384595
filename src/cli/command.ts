/** What every CLI command receives: parsed arguments, the store URL and output sinks. */
export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | undefined>;
  storeUrl: string;
  out: (line: string) => void;
  err: (line: string) => void;
}

export type Command = (ctx: CommandContext) => Promise<number>;
