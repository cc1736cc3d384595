export { ManualClock } from './manual-clock.js';
export { startModelStandIn, type ModelStandIn, type ModelStandInOptions, type StandInBehaviour, type StandInCounts } from './model-stand-in.js';
