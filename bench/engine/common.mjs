// Shared helpers of the engine benchmarks.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** Root of the repository (bench/engine/../..). */
export const repoRoot = path.resolve(here, '..', '..');

/**
 * The compiled library: `../../dist/src/index.js` (what `npm run build` produces), or
 * `$HOMEOSTAT_DIST/src/index.js` (relative to the repository root) during development.
 */
export const libraryPath = path.resolve(repoRoot, process.env.HOMEOSTAT_DIST ?? 'dist', 'src', 'index.js');

export async function loadHomeostat() {
  return import(pathToFileURL(libraryPath).href);
}

/** A ten-step workflow whose steps do nothing but return a small value. */
export function defineTenSteps(homeostat, name = 'ten-steps') {
  return homeostat.defineWorkflow(name, async (ctx, input) => {
    let acc = input?.n ?? 0;
    for (let i = 0; i < 10; i++) acc = await ctx.step(`s${i}`, () => acc + 1);
    return acc;
  });
}

export function tempDir(prefix) {
  return mkdtempSync(path.join(os.tmpdir(), `homeostat-bench-${prefix}-`));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/** q-th quantile (0..1) of numbers, nearest-rank on a sorted copy. */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index];
}

export function median(values) {
  return quantile(values, 0.5);
}

export function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    cores: cpus.length,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.type()} ${os.release()}`,
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(', '),
  };
}

export function fmt(n, digits = 0) {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** True when the module at `metaUrl` is the script node was started with. */
export function isMain(metaUrl) {
  return process.argv[1] !== undefined && metaUrl === pathToFileURL(path.resolve(process.argv[1])).href;
}
