/**
 * The element an agent's symptoms are about (`agent:<name>`): not a process homeostat
 * supervises, so it has no probes — its health is what the registry (heartbeats) and the
 * quorum votes in the store say (controller/agent-watch.ts), and quarantine or release is
 * its actuation (execute/agent-actions.ts).
 */
const PREFIX = 'agent:';

/** The agent's heartbeat stopped: it is `late` or `dead` (agentElements.unresponsiveWhen). */
export const AGENT_UNRESPONSIVE = 'agent-unresponsive';
/** The agent's agreement rate in quorums fell below `agentElements.minReliability` over `minVotes` votes. */
export const AGENT_DISSENTING = 'agent-dissenting';

/** @example agentElement('adder-3') // 'agent:adder-3' */
export function agentElement(agent: string): string {
  return `${PREFIX}${agent}`;
}

/** @example isAgentElement('agent:adder-3') // true */
export function isAgentElement(element: string): boolean {
  return element.startsWith(PREFIX);
}

/** @example agentOf('agent:adder-3') // 'adder-3'; agentOf('api') // undefined */
export function agentOf(element: string): string | undefined {
  return isAgentElement(element) ? element.slice(PREFIX.length) : undefined;
}
