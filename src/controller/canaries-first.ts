import type { HomeostatConfig } from '../config/schema/root.js';
import { HomeostatError } from '../errors/homeostat-error.js';
import type { Knowledge } from '../knowledge/knowledge.js';
import type { Guardrails } from '../plan/guardrails.js';
import { sameSpec } from '../supervisor/service-spec.js';
import type { Logger } from '../telemetry/logger.js';
import { judgeConfigCanary, type CanaryControl, type CanaryVerdict } from './config-canary.js';

export interface CanariesFirstDeps {
  canaries: CanaryControl;
  guardrails?: Pick<Guardrails, 'check' | 'release'>;
  knowledge: Knowledge;
  logger: Logger;
  say: (line: string) => void;
  /** Aborted when `up` stops: a canary being judged ends, and its version is not applied. */
  signal?: AbortSignal;
}

export interface VersionToTry {
  /** The config in force, and the version about to be reloaded. */
  before: HomeostatConfig;
  next: HomeostatConfig;
  version: number;
  previous: number;
  source: string;
  /** Who applied it: the audit's actor for the canary's start, named in its verdict. */
  by: string;
}

/**
 * Before a version is reloaded: each service it changes that has `canary:` (with 2 or
 * more replicas running) is tried on one replica with a share of its front door's
 * traffic (config-canary.ts). Each canary first passes the guardrails like any action the
 * controller takes — a pause of the service (or of everything) and the blast radius (the
 * canary is a replica under change: none starts while another replica of the service is
 * being remediated, and the loop touches no second one while it is judged); it charges no
 * budget, being the operator's own change. All pass: the canaries stay on the new spec
 * and the reload rolls the version to the other replicas. One fails or is denied: the
 * canaries that passed are restarted on the spec in force too, and `HS_CONFIG_CANARY_FAILED`
 * is thrown — the version is marked bad when a canary ran it and failed (no other replica
 * ever ran it), failed (not applied) when the guardrails denied it. Every start, guard
 * verdict and outcome is audited, attributed.
 *
 * @example await canariesFirst(deps, { before, next, version: 4, previous: 3, source: 'homeostat.yaml changed', by: 'config-file' }) // resolves: every canary passed
 * @example // api#0 answers 500 on v4: rejects with HS_CONFIG_CANARY_FAILED, v4 marked bad, api#0 back on v3
 */
export async function canariesFirst(deps: CanariesFirstDeps, version: VersionToTry): Promise<void> {
  const { canaries, knowledge, logger, say } = deps;
  const { before, next, by } = version;
  const v = `config v${version.version}`;
  const subject = `config:v${version.version}`;
  const running = (service: string) => {
    try {
      return canaries.replicas(service).length;
    } catch {
      return 0; // not started yet: nothing serves, nothing to try first
    }
  };
  const tried = Object.entries(next.services).filter(([name, spec]) => spec.canary && spec.expose && before.services[name] && !sameSpec(before.services[name], spec) && running(name) >= 2);
  const passed: string[] = [];
  const refuse = async (reason: string, status: 'bad' | 'failed'): Promise<never> => {
    for (const service of passed) await canaries.endCanary(service, 'revert');
    if (status === 'bad') await knowledge.configVersions.mark(version.version, 'bad');
    else await knowledge.configVersions.markFailed(version.version, reason, by, { previous: version.previous, source: version.source });
    const others = passed.length > 0 ? ` (the canaries of ${passed.join(', ')} passed and were restarted on v${version.previous} too)` : '';
    const outcome = status === 'bad' ? 'was rolled back by its canary and is marked bad' : 'was not applied (marked failed)';
    throw new HomeostatError('HS_CONFIG_CANARY_FAILED', `${v} ${outcome}; v${version.previous} stays in force on every replica: ${reason}${others}`, { retryable: false });
  };
  for (const [service, spec] of tried) {
    const canary = spec.canary!;
    const instance = canaries.replicas(service)[0]!.instance;
    const guard = deps.guardrails ? await deps.guardrails.check({ service, instances: [instance], replicas: running(service), dryRun: false, chargeBudget: false }) : undefined;
    if (guard && !guard.allowed) {
      const denied = guard.results.filter((result) => !result.ok).map((result) => `${result.guard}: ${result.detail}`).join('; ');
      await knowledge.audit.append('controller', 'config.canary.denied', subject, { version: version.version, previous: version.previous, appliedBy: by, service, instance, results: guard.results });
      say(`${v}: canary of ${service} denied by the guardrails (${denied}): not applied`);
      await refuse(`the canary of ${service} was denied by the guardrails (${denied})`, 'failed');
    }
    let verdict: CanaryVerdict;
    try {
      await knowledge.audit.append(by, 'config.canary.started', subject, { version: version.version, previous: version.previous, service, instance, share: canary.share, duration: canary.duration, source: version.source, ...(guard ? { guard: guard.results } : {}) });
      say(`${v}: canary of ${service} — ${instance} on the new spec, ${Number((canary.share * 100).toFixed(2))}% of its traffic for ${canary.duration / 1_000} s`);
      verdict = await judgeConfigCanary(canaries, service, spec, canary, deps.signal ? { signal: deps.signal } : {});
    } catch (error) {
      verdict = { ok: false, service, instance, detail: `the canary could not run: ${(error as Error).message}`, tookMs: 0 };
      await canaries.endCanary(service, 'revert').catch((revertError: unknown) => logger.error({ err: revertError, service, instance }, 'restarting the canary on the spec in force failed'));
    } finally {
      deps.guardrails?.release(service, instance);
    }
    await knowledge.audit.append('controller', verdict.ok ? 'config.canary.passed' : 'config.canary.rolled-back', subject, { version: version.version, previous: version.previous, appliedBy: by, ...verdict });
    logger.info({ version: version.version, ...verdict }, verdict.ok ? 'config canary passed' : 'config canary failed: rolled back');
    say(`${v}: canary of ${service} ${verdict.ok ? 'passed' : 'FAILED, rolled back'}: ${verdict.detail}`);
    if (!verdict.ok) await refuse(verdict.detail, 'bad');
    passed.push(service);
  }
}
