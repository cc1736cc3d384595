/**
 * The element a model provider's symptoms are about (`provider:<name>`): not a process, so
 * it has no probes — its health is what its callers' model attempts say (see
 * controller/provider-watch.ts), and a drain or restore is its only actuation.
 */
const PREFIX = 'provider:';

/** A provider's attempts breach its `element.degradedWhen` over the window. */
export const PROVIDER_DEGRADED = 'model-provider-degraded';
/** A drained provider answered `element.probe.successes` probes in a row. */
export const PROVIDER_RECOVERED = 'model-provider-recovered';

/** @example providerElement('openai') // 'provider:openai' */
export function providerElement(provider: string): string {
  return `${PREFIX}${provider}`;
}

/** @example isProviderElement('provider:openai') // true */
export function isProviderElement(element: string): boolean {
  return element.startsWith(PREFIX);
}

/** @example providerOf('provider:openai') // 'openai'; providerOf('api') // undefined */
export function providerOf(element: string): string | undefined {
  return isProviderElement(element) ? element.slice(PREFIX.length) : undefined;
}
