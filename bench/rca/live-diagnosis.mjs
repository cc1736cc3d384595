// The loop's own diagnosis of an injected fault (bench/rca/run.mjs --live): the incident the
// loop opened for it, read through the CLI as an operator would (`homeostat incidents --all
// --json -c <config>`, which talks to the running `up` through its API), and the ranked
// candidates of its diagnosis.
import { spawn } from 'node:child_process';

function cli(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`homeostat ${args.join(' ')} exited ${code}: ${err.trim()}`))));
  });
}

/**
 * The first incident opened after `injectedAt` (unix s, less a second of clock slack) that has
 * a diagnosis, waiting up to `timeoutMs` for one; undefined when the loop opened none.
 * @returns {Promise<{ incident: string, element: string, cause: string, candidates: { element: string, kind: string, score: number }[] } | undefined>}
 */
export async function incidentDiagnosis(bin, configPath, injectedAt, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const incidents = JSON.parse(await cli(bin, ['incidents', '--all', '--json', '--limit', '20', '-c', configPath]));
    const found = incidents
      .filter((i) => i.openedAt >= (injectedAt - 1) * 1_000 && typeof i.diagnosis === 'string')
      .sort((a, b) => a.openedAt - b.openedAt)[0];
    if (found) {
      const diagnosis = JSON.parse(found.diagnosis);
      return { incident: found.id, element: found.element, cause: diagnosis.cause, candidates: diagnosis.candidates ?? [] };
    }
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}
