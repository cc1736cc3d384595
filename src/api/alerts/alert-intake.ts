import { createHash, timingSafeEqual } from 'node:crypto';
import type { AlertsConfig } from '../../config/schema/alerts.js';
import { HomeostatError } from '../../errors/homeostat-error.js';
import type { AlertIntake } from '../api-context.js';
import { AlertReceiver, type AlertReceiverOptions } from './alert-receiver.js';

/** A shared secret shorter than this is refused at start: it could be guessed. */
export const MIN_SECRET_LENGTH = 16;

/** The API's alert intake and the runtime's view of it: which alert symptoms still fire. */
export interface AlertReception extends AlertIntake {
  isFiring(service: string, symptom: string): boolean;
  /** See {@link AlertReceiver.assumeFiring}. */
  assumeFiring(service: string, symptom: string): void;
}

/**
 * The alert receiver `homeostat up` serves, with its credential: the shared secret is read
 * once, now, from the environment variable `alerts.secretEnv` names (never from the config
 * file), and compared in constant time. A named variable that is unset, empty or short
 * refuses the start (`HS_CONFIG_ALERT_SECRET_MISSING`) rather than accept a weak secret.
 *
 * @example const alerts = alertReception({ config: config.alerts, elements, observe }, process.env); alerts.secretMatches('wrong') // false
 */
export function alertReception(options: AlertReceiverOptions, env: NodeJS.ProcessEnv): AlertReception {
  const config: AlertsConfig = options.config;
  const receiver = new AlertReceiver(options);
  const secret = sharedSecretOf(config, env);
  return {
    bodyLimit: config.bodyLimit,
    receive: (payload, postedBy) => receiver.receive(payload, postedBy),
    receiveGeneric: (payload, postedBy) => receiver.receiveGeneric(payload, postedBy),
    isFiring: (service, symptom) => receiver.isFiring(service, symptom),
    assumeFiring: (service, symptom) => receiver.assumeFiring(service, symptom),
    secretMatches: (presented) => secret !== undefined && sameDigest(presented, secret),
  };
}

function sharedSecretOf(config: AlertsConfig, env: NodeJS.ProcessEnv): Buffer | undefined {
  if (!config.secretEnv) return undefined;
  const value = env[config.secretEnv];
  if (!value || value.length < MIN_SECRET_LENGTH) {
    const why = value ? `is shorter than ${MIN_SECRET_LENGTH} characters` : 'is not set';
    throw new HomeostatError('HS_CONFIG_ALERT_SECRET_MISSING', `alerts.secretEnv names ${config.secretEnv}, which ${why}; export a long random secret there (openssl rand -hex 32) or remove alerts.secretEnv`);
  }
  return digest(value);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Digests first: equal lengths for timingSafeEqual, and no length leaks. */
function sameDigest(presented: string, secret: Buffer): boolean {
  return timingSafeEqual(digest(presented), secret);
}
