// AC@k and Avg@k of a root-cause ranking over fault-injection cases, as in the RCA literature:
// AC@k is the share of cases whose true cause is among the top k candidates (a case with no
// ranking, or the cause missing from it, counts as a miss); Avg@k is the mean of AC@1..AC@k.

/** @param {{ rank: number | null }[]} cases rank is 1-based, null when the cause was not ranked */
export function accuracy(cases) {
  const n = cases.length;
  const ac = (k) => (n === 0 ? 0 : cases.filter((c) => c.rank !== null && c.rank <= k).length / n);
  const at = [1, 2, 3, 4, 5].map(ac);
  return { n, ac1: at[0], ac3: at[2], avg5: at.reduce((s, v) => s + v, 0) / 5 };
}

/** Figures per fault kind and overall. */
export function summarise(cases, kinds) {
  const perFault = Object.fromEntries(kinds.map((kind) => [kind, accuracy(cases.filter((c) => c.fault === kind))]));
  return { perFault, overall: accuracy(cases) };
}

export function markdownTable(summary) {
  const f = (v) => v.toFixed(2);
  const lines = ['| fault | cases | AC@1 | AC@3 | Avg@5 |', '|---|---:|---:|---:|---:|'];
  for (const [kind, s] of Object.entries(summary.perFault)) lines.push(`| ${kind} | ${s.n} | ${f(s.ac1)} | ${f(s.ac3)} | ${f(s.avg5)} |`);
  const o = summary.overall;
  lines.push(`| **all** | ${o.n} | **${f(o.ac1)}** | **${f(o.ac3)}** | **${f(o.avg5)}** |`);
  return lines.join('\n');
}
