import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

/** `homeostat` in-process, for the `analyze` tests: exit status, stdout lines, stderr text. */
export async function cli(...args: string[]): Promise<{ status: number; out: string[]; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(args, (line) => out.push(line), (line) => err.push(line));
  return { status, out, err: err.join('\n') };
}

/** A temp folder to write input files into: `write(name, text)` returns the file's path. */
export function inputFolder(prefix: string): (name: string, text: string) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
}
