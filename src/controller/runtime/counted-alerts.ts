import type { AlertIntake } from '../../api/api-context.js';
import type { ReceivedAlerts } from '../../api/alerts/alert-receiver.js';
import type { Counter } from '../../telemetry/metrics.js';

/**
 * The alert intake with every alert counted by outcome (`homeostat_alerts_received_total`
 * `{outcome="fired|resolved|duplicate|ignored"}`, both alert routes), so a receiver that only ever says
 * `ignored` (labels that name no service) shows on a dashboard, not only in the log.
 */
export function countedAlerts(intake: AlertIntake, received: Counter): AlertIntake {
  return {
    bodyLimit: intake.bodyLimit,
    secretMatches: (presented) => intake.secretMatches(presented),
    receive: (payload, postedBy) => counted(intake.receive(payload, postedBy), received),
    receiveGeneric: (payload, postedBy) => counted(intake.receiveGeneric(payload, postedBy), received),
  };
}

function counted(answer: ReceivedAlerts, received: Counter): ReceivedAlerts {
  if (answer.fired) received.inc({ outcome: 'fired' }, answer.fired);
  if (answer.resolved) received.inc({ outcome: 'resolved' }, answer.resolved);
  if (answer.duplicates) received.inc({ outcome: 'duplicate' }, answer.duplicates);
  if (answer.ignored.length) received.inc({ outcome: 'ignored' }, answer.ignored.length);
  return answer;
}
