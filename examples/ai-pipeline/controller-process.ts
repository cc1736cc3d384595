/**
 * `homeostat up` for the demo: the autonomic loop over the same store the workers use. It
 * reads the model attempts the workers record, sees `swift` degrade, opens an incident
 * and drains the provider by the policy — in the store, which every worker follows.
 */
import { startUpProcess, type UpChild } from '../shared/up-process.js';

export interface ControllerSettings {
  /** Where homeostat.yaml and up's own state go. */
  dir: string;
  /** The store the workers use. */
  storeUrl: string;
  /** The `models:` section (the workers' own) and the `policies:` that act on providers. */
  models: unknown;
  policies: unknown;
}

export type ControllerProcess = UpChild;

/** Start `up` on the demo's config; resolves once its loop runs. Its lines about incidents go to `log`. */
export function startController(settings: ControllerSettings, log: (line: string) => void): Promise<ControllerProcess> {
  return startUpProcess(settings.dir, { stateDir: 'up', store: settings.storeUrl, models: settings.models, policies: settings.policies }, log);
}
