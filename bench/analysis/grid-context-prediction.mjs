// The configuration grid the contextual prediction detectors were chosen from (see
// BENCHMARKS.md): context prediction on the value alone (levels × longest learned
// generalisation × dominance-mute length), and on the value and its rank (value levels ×
// longest generalisation × range tolerance × rank levels × relearn growth), with and without
// the alert-rate discount. Used by holdout.mjs and sweep.mjs.
const mute = (member, muteSamples = 30) => ({ kind: 'ensemble', members: [member], muteDominated: true, muteSamples });
const discounted = (member) => ({ kind: 'alert-rate-discount', member, alertLevel: 0.6, horizon: 4000, discount: 0.02 });
const grid = [];
for (const levels of [16, 20, 24, 28, 32, 36, 40, 48]) {
  for (const muteSamples of [15, 30, 45]) {
    grid.push([`context-prediction levels ${levels} mute ${muteSamples}`, mute({ kind: 'context-prediction', levels }, muteSamples)]);
  }
}
for (const levels of [16, 20, 32]) {
  for (const maxPattern of [2, 3]) {
    for (const rangeTolerance of [0.02, 0.05]) {
      for (const rankLevels of [12, 16, 24]) {
        for (const relearnGrowth of [4, 8, 16]) {
          const member = mute({ kind: 'value-rank-prediction', levels, maxPattern, rangeTolerance, rankLevels, relearnGrowth });
          const label = `value-rank-prediction levels ${levels} maxPattern ${maxPattern} rangeTolerance ${rangeTolerance} rankLevels ${rankLevels} relearnGrowth ${relearnGrowth}`;
          grid.push([label, member]);
          grid.push([`${label} + alert-rate discount`, discounted(member)]);
        }
      }
    }
  }
}
export default grid;
