// The grid of grid-context-prediction.mjs plus, for each of its value-and-rank settings, the
// contextual-fatigue detector's shaping: the coarse confirmation (10 levels, 0.8 when it does not
// confirm) under alert fatigue instead of the alert-rate discount. Used by holdout.mjs, so that
// the held-out figure of contextual-fatigue covers choosing between all of these (see BENCHMARKS.md).
import base from './grid-context-prediction.mjs';

const fatigued = (member) => ({ kind: 'alert-fatigue', member, alertLevel: 0.6, depth: 0.7, rate: 0.1, memory: 8000 });
const grid = [...base];
for (const [label, config] of base) {
  if (config.kind !== 'ensemble' || config.members?.[0]?.kind !== 'value-rank-prediction') continue;
  const confirmed = { ...config, members: [{ ...config.members[0], confirmLevels: 10, unconfirmedScore: 0.8 }] };
  grid.push([`${label} + coarse confirmation + alert fatigue`, fatigued(confirmed)]);
}
export default grid;
