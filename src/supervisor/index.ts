export { Supervisor, type SupervisorOptions, type ElementStatus } from './supervisor.js';
export { isSymptom, type ElementEvent, type ElementEventKind, type ExitReason, type ProbeName, type ProbeState } from './element-events.js';
export { toProbe, type Probe, type ProbeFunction, type ProbeResult } from './probes/probe.js';
export { UnknownServiceError, InvalidReplicasError } from './supervisor-errors.js';
