// Spurious liveness failures under CPU load, per probe timeout.
// Runs the example system (examples/system/homeostat.yaml, ports moved to free ones,
// every http liveness timeout set to the one measured) under `homeostat up`, beside two
// busy Node loops, and counts liveness failures: nothing is wrong with the services, so
// each one is a restart the timeout alone caused; it also times api#0's /healthz answers
// (median, p99, worst), the margin a timeout must leave. Build first (`npm run build`).
// Figures: docs/config-reference.md, "Probe timeouts under load".
//   node bench/probe-timeouts/run.mjs [timeout=200ms] [seconds=180] [busyLoops=2]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const timeout = process.argv[2] ?? '200ms';
const seconds = Number(process.argv[3] ?? 180);
const busyLoops = Number(process.argv[4] ?? 2);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const dir = mkdtempSync(join(tmpdir(), 'hs-probe-timeouts-'));
let yaml = readFileSync(join(root, 'examples/system/homeostat.yaml'), 'utf8')
  .replace(/^stateDir: .*$/m, `stateDir: ${join(dir, 'state')}`)
  .replaceAll('cwd: ../../dist/examples/system', `cwd: ${join(root, 'dist/examples/system')}`)
  .replace(/(liveness: \{ http: [^}]*timeout: )[0-9a-z]+/g, `$1${timeout}`);
// Free ports instead of the fixed 4100/4200/4300/4310 (other work may hold them).
for (const fixed of [4300, 4310, 4100, 4200]) {
  // replicas: 2 for the api need two consecutive free ports; good enough on a quiet host.
  yaml = yaml.replaceAll(String(fixed), String(await freePort()));
}
const file = join(dir, 'homeostat.yaml');
writeFileSync(file, yaml);

function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
  return { checks: sorted.length, p50ms: at(0.5), p99ms: at(0.99), maxMs: Math.round(sorted.at(-1)), over200ms: sorted.filter((v) => v > 200).length, over1s: sorted.filter((v) => v > 1_000).length };
}

const busy = Array.from({ length: busyLoops }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const up = spawn(process.execPath, [join(root, 'dist/src/cli/bin.js'), 'up', '-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
up.stdout.on('data', (chunk) => (output += chunk));
up.stderr.on('data', (chunk) => (output += chunk));
// Beside homeostat's own probes, time each answer of api#0's /healthz the way a probe asks
// for it (every 250 ms, one at a time): the margin a timeout must leave.
const latencies = [];
const deadline = Date.now() + seconds * 1_000;
const apiPort = async () => {
  for (;;) {
    const match = /api#0 spawned pid \d+ on port (\d+)/.exec(output);
    if (match) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};
const port = await apiPort();
await new Promise((resolve) => setTimeout(resolve, 2_000));
while (Date.now() < deadline) {
  const started = performance.now();
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.arrayBuffer());
    latencies.push(performance.now() - started);
  } catch {
    latencies.push(Infinity);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, 250 - (performance.now() - started))));
}
up.kill('SIGTERM');
await new Promise((resolve) => up.once('exit', resolve));
for (const child of busy) child.kill('SIGKILL');
writeFileSync(join(tmpdir(), `hs-probe-timeouts-${timeout}-${busyLoops}.log`), output);
const lines = output.split('\n');
const count = (pattern) => lines.filter((line) => pattern.test(line)).length;
console.log(
  JSON.stringify({
    timeout,
    seconds,
    busyLoops,
    // Every passing → failing of a liveness probe (a restart follows each one).
    livenessFailing: count(/ liveness passing → failing/),
    byService: Object.fromEntries(['dependency', 'dependency-standby', 'api', 'worker'].map((s) => [s, count(new RegExp(` ${s}#\\d+ liveness passing → failing`))])),
    // Checks that timed out, as printed with those transitions.
    timedOut: count(/liveness passing → failing: timed out/),
    healthz: summarize(latencies),
    log: join(tmpdir(), `hs-probe-timeouts-${timeout}-${busyLoops}.log`),
  }),
);
rmSync(dir, { recursive: true, force: true });
