/** A source of uniform numbers in [0, 1). `Math.random` is one; tests pass a seeded one. */
export type Random = () => number;

/**
 * A small, fast, seeded generator (mulberry32) so jitter is reproducible in tests.
 * @example const random = seededRandom(42); random(); // always the same sequence
 */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
