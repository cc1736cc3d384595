/** Deterministic synthetic series for the detector tests (named `*.test.*` so it is not published). */

/** A seeded pseudo-random generator (mulberry32) and Gaussian noise from it. */
export function seededNoise(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform());
}

export const STEP_MS = 60_000;

/** `length` samples of level + noise, one a minute, with optional spike at `spikeAt`. */
export function noisySeries(length: number, options: { level?: number; noise?: number; spikeAt?: number; spike?: number; seed?: number } = {}): [number, number][] {
  const noise = seededNoise(options.seed ?? 7);
  const series: [number, number][] = [];
  for (let i = 0; i < length; i++) {
    let value = (options.level ?? 100) + (options.noise ?? 1) * noise();
    if (i === options.spikeAt) value += options.spike ?? 20;
    series.push([1_700_000_000_000 + i * STEP_MS, value]);
  }
  return series;
}

/** Feed a series and return the scores. */
export function run(detector: { update(t: number, v: number): number }, series: [number, number][]): number[] {
  return series.map(([t, v]) => detector.update(t, v));
}
