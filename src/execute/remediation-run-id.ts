/**
 * A remediation run's id: `remediate:<incident key>:<incident>:<cycle>`. Starting a run with
 * an existing id returns that run, so the loop cannot start the same cycle twice.
 */
export function runIdFor(service: string, incidentId: string, cycle: number): string {
  return `remediate:${service}:${incidentId}:${cycle}`;
}
