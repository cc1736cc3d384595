import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newHeartbeatSecret } from './heartbeat-probe.js';

/**
 * The heartbeat secret of an external (`url:`) service: homeostat does not spawn it, so
 * it cannot hand it a fresh secret in its environment. The secret is kept instead in
 * `<stateDir>/heartbeat-secrets/<name>` (mode 0600, made on first use, the same across
 * restarts of `up`), for whoever runs that service to configure it once:
 * `POST /beat/<name>/<secret>`.
 *
 * @example externalHeartbeatSecret('/var/lib/homeostat', 'payments') // 'Zk3…' (32 characters)
 */
export function externalHeartbeatSecret(stateDir: string, name: string): string {
  const dir = join(stateDir, 'heartbeat-secrets');
  const file = join(dir, encodeURIComponent(name));
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept !== '') return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = newHeartbeatSecret();
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
