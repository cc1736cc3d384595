import type { Clock } from '../resilience/clock.js';
import type { ProbeConfig } from '../config/schema/probes.js';
import { execProbe } from './probes/exec-probe.js';
import { heartbeatProbe, type HeartbeatRegistry } from './probes/heartbeat-probe.js';
import { httpProbe } from './probes/http-probe.js';
import type { Probe } from './probes/probe.js';
import { tcpProbe } from './probes/tcp-probe.js';

export interface ProbeTarget {
  /** The instance (or external service) name, for heartbeats. */
  instance: string;
  /** Where `http: /path` and `tcp: true` point: the replica's port, or the external URL. */
  baseUrl: string | undefined;
  cwd: string;
  env: Record<string, string>;
  heartbeats: HeartbeatRegistry;
  clock: Clock;
}

/** Turn a probe's config into a {@link Probe} aimed at one replica or external service. */
export function buildProbe(config: ProbeConfig, target: ProbeTarget): Probe {
  if (config.http !== undefined) {
    const url = /^https?:\/\//.test(config.http) ? config.http : new URL(config.http, requireBase(target, 'http')).href;
    return httpProbe({ url, status: config.status, ...(config.body === undefined ? {} : { body: config.body }) });
  }
  if (config.tcp !== undefined) {
    if (config.tcp === true) {
      const base = new URL(requireBase(target, 'tcp'));
      return tcpProbe({ host: base.hostname, port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)) });
    }
    if (typeof config.tcp === 'number') return tcpProbe({ host: '127.0.0.1', port: config.tcp });
    const [host, port] = config.tcp.includes(':') ? [config.tcp.slice(0, config.tcp.lastIndexOf(':')), config.tcp.slice(config.tcp.lastIndexOf(':') + 1)] : ['127.0.0.1', config.tcp];
    return tcpProbe({ host, port: Number(port) });
  }
  if (config.exec !== undefined) return execProbe({ command: config.exec, cwd: target.cwd, env: target.env });
  return heartbeatProbe(target.heartbeats, target.instance, config.timeout, target.clock);
}

function requireBase(target: ProbeTarget, kind: string): string {
  if (!target.baseUrl) throw new Error(`${target.instance}: a ${kind} probe without a host needs a port (set port: or use {{port}})`);
  return target.baseUrl;
}
