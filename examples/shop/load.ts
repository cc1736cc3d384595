/**
 * Steady traffic at the shop's entry point: `GET <url>/work` at a fixed rate, open loop —
 * a new request leaves on schedule whether or not earlier ones were answered, as users keep
 * arriving while a service is slow, so a slow service does not lower the traffic its
 * dependencies see. Prints a line of counts every `--report` seconds.
 *
 * Run: `node dist/examples/shop/load.js --url http://127.0.0.1:4510 --rps 20 [--seconds 60] [--report 10]`.
 */

function option(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1]! : fallback;
}

const url = option('url', 'http://127.0.0.1:4510');
const rps = Number(option('rps', '20'));
const seconds = Number(option('seconds', '0'));
const reportEvery = Number(option('report', '10'));
if (!(rps > 0) || !(rps <= 1_000)) {
  console.error(`load: --rps must be in (0, 1000], got ${option('rps', '')}`);
  process.exit(2);
}

const counts = { sent: 0, ok: 0, failed: 0, unreachable: 0 };
async function one(): Promise<void> {
  counts.sent++;
  try {
    const response = await fetch(`${url}/work`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    if (response.ok) counts.ok++;
    else counts.failed++;
  } catch {
    counts.unreachable++;
  }
}

// Schedule against the clock rather than chaining timers, so the rate does not drift.
const started = performance.now();
let sent = 0;
const ticker = setInterval(() => {
  const due = Math.floor(((performance.now() - started) / 1_000) * rps);
  for (; sent < due; sent++) void one();
}, 5);
const reporter = reportEvery > 0 ? setInterval(() => console.log(`load: sent ${counts.sent}, ok ${counts.ok}, failed ${counts.failed}, unreachable ${counts.unreachable}`), reportEvery * 1_000) : undefined;
const stop = () => {
  clearInterval(ticker);
  if (reporter) clearInterval(reporter);
  console.log(`load: done: sent ${counts.sent}, ok ${counts.ok}, failed ${counts.failed}, unreachable ${counts.unreachable}`);
  setTimeout(() => process.exit(0), 100).unref();
};
if (seconds > 0) setTimeout(stop, seconds * 1_000);
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
