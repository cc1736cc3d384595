import type { ActionConfig, PolicyConfig } from '../config/schema/policies.js';
import type { GuardDecision } from '../plan/guardrails.js';
import type { WorkflowContext } from '../workflow/workflow-context.js';
import { DESTRUCTIVE_ACTIONS, type ActionOutcome } from './actuators.js';
import type { RemediationDeps, RemediationInput } from './remediation-workflow.js';
import { judgeCallers } from './canary-callers.js';
import { incidentHealth } from './incident-health.js';
import { verifyHealthy } from './verify-health.js';
import { joinChecks, type VerificationChecks } from './verification-checks.js';

/** Whether a rung runs as a canary rollout: a policy with `rollout`, a service-wide restart or stop-start, several replicas. */
export function isRollout(policy: PolicyConfig, action: ActionConfig, replicas: number): boolean {
  return policy.rollout !== undefined && !policy.approval.required && (action.action === 'restart' || action.action === 'stop-start') && action.scope === 'service' && replicas > 1;
}

/** The canary, then batches of `batchSize`. */
export function rolloutBatches(instances: readonly string[], batchSize: number): string[][] {
  const [canary, ...rest] = instances;
  if (canary === undefined) return [];
  const batches = [[canary]];
  for (let i = 0; i < rest.length; i += batchSize) batches.push(rest.slice(i, i + batchSize));
  return batches;
}

export interface RolloutArgs {
  input: RemediationInput;
  /** The policy from the applied config (never from the run's input). */
  policy: PolicyConfig;
  /** Who stands behind the actions (policy, config version), for the audit. */
  authority: Record<string, unknown>;
  rung: number;
  action: ActionConfig;
  label: string;
  /** The leader's fence before each action (see the remediation workflow). */
  fence: (action: string, target: string, signal: AbortSignal) => Promise<number | undefined>;
  /** The policy's PromQL checks, from now: each batch must pass them too (undefined: none). */
  checks?: (signal: AbortSignal) => VerificationChecks | undefined;
  since?: number;
}

/**
 * One rung as a canary rollout, each part a checkpointed step: the action runs on one
 * replica (the canary), which must pass verification, then on the rest in batches; each
 * batch passes the guardrails (blast radius counts the batch; budgets are charged once,
 * for the canary) and is verified before the next starts. The first batch that is denied
 * or fails verification stops the rollout, recorded as a `canary` guard entry, and the
 * replicas after it are not touched.
 *
 * @example await rollout(ctx, deps, { input, policy, authority, rung: 0, action: { action: 'restart', scope: 'service' }, label: 'restart api', fence }) // { ok: true, dryRun: false, executed: true }
 * @example // api#0 (the canary) never gets healthy: { ok: false, … }, api#1… untouched
 */
export async function rollout(ctx: WorkflowContext, deps: RemediationDeps, args: RolloutArgs): Promise<{ ok: boolean; dryRun: boolean; executed: boolean; unknown?: string }> {
  const { knowledge } = deps;
  const { input, rung, action, label, policy } = args;
  const { incidentId, service } = input;
  const record = (kind: Parameters<typeof knowledge.incidents.record>[1], data: Record<string, unknown>) => knowledge.incidents.record(incidentId, kind, data);
  const batchSize = policy.rollout?.batchSize ?? 1;
  const batches = await ctx.step(`rollout-plan:${rung}`, async () => {
    const planned = rolloutBatches(deps.control.instances(service), batchSize);
    const detail = `canary ${planned[0]?.join(', ') ?? '-'} first, then ${planned.length - 1} batch(es) of up to ${batchSize}: ${planned.slice(1).map((b) => `[${b.join(', ')}]`).join(' ') || 'none'}`;
    await record('guard', { rung, action: label, allowed: true, dryRun: false, results: [{ guard: 'canary', ok: true, detail }] });
    return planned;
  });
  const stop = async (batch: number, why: string) => {
    const untouched = batches.slice(batch + 1).flat();
    const detail = `${batch === 0 ? `canary ${batches[0]!.join(', ')}` : `batch ${batch} (${batches[batch]!.join(', ')})`} ${why}: the rollout stops${untouched.length ? `; not touched: ${untouched.join(', ')}` : ''}`;
    await record('guard', { rung, action: label, batch, allowed: false, dryRun: false, results: [{ guard: 'canary', ok: false, detail }] });
    await knowledge.audit.append('controller', 'rollout.stopped', incidentId, { rung, batch, detail });
  };
  let dryRun = false;
  let executed = false;
  for (const [b, batch] of batches.entries()) {
    const part = `${label} ${b === 0 ? 'canary' : `batch ${b}`} (${batch.join(', ')})`;
    const guard: GuardDecision = await ctx.step(`guard:${rung}:${b}`, async () => {
      const decision = await deps.guardrails.check({ service, instances: batch, replicas: batches.flat().length, dryRun: policy.dryRun, chargeBudget: b === 0 });
      await record('guard', { rung, batch: b, action: part, allowed: decision.allowed, dryRun: decision.dryRun, results: decision.results });
      await knowledge.audit.append('controller', decision.allowed ? 'guard.allowed' : 'guard.denied', incidentId, { rung, batch: b, action: part, results: decision.results });
      if (!decision.allowed) await stop(b, 'was denied by the guardrails');
      return decision;
    });
    if (!guard.allowed) return { ok: false, dryRun, executed };
    const release = () => batch.forEach((instance) => deps.guardrails.release(service, instance));
    if (guard.dryRun) {
      await ctx.step(`act:${rung}:${b}`, async () => {
        await record('action', { rung, batch: b, action: part, dryRun: true, detail: 'dry-run: would run, executed nothing' });
        release();
      });
      dryRun = true;
      continue;
    }
    if (b === 0 && DESTRUCTIVE_ACTIONS.has(action.action)) {
      await ctx.step(`evidence:${rung}`, async () => {
        await record('evidence', { rung, before: label, ...(await deps.evidence(service)) });
      });
    }
    executed = true;
    const acted = await ctx.step(
      `act:${rung}:${b}`,
      async ({ signal }) => {
        const outcomes: ActionOutcome[] = [];
        for (const instance of batch) {
          const leaderToken = await args.fence(action.action, instance, signal);
          const outcome = await deps.actuator.execute({ ...action, scope: 'instance' } as ActionConfig, { incidentId, service, instance, ...(args.since !== undefined ? { since: args.since } : {}) }, signal);
          await record('action', { rung, batch: b, canary: b === 0, action: `${action.action} ${instance}`, ...(leaderToken === undefined ? {} : { leaderToken }), ...outcome });
          await knowledge.audit.append('controller', `action.${action.action}`, incidentId, { rung, batch: b, target: instance, ...args.authority, ...outcome });
          outcomes.push(outcome);
        }
        return { ok: outcomes.every((o) => o.ok), detail: outcomes.map((o) => o.detail).join('; ') };
      },
      { retry: false },
    );
    const verified = await ctx.step(
      `verify:${rung}:${b}`,
      async ({ signal }) => {
        // The last batch resolves the incident: every symptom joined to it must be clear too (see incident-health.ts).
        const health = acted.ok && b === batches.length - 1 ? await incidentHealth(deps, incidentId, { target: service }) : undefined;
        const batchHealthy = () => batch.every((instance) => deps.control.isHealthy(service, instance));
        // A canary behind a front door with `canary:` also gets its share of the traffic, and must satisfy its callers.
        const callers = b === 0 && acted.ok ? deps.control.canaryTraffic?.(service, batch[0]!) : undefined;
        const callersJudged = () => (callers ? judgeCallers(callers.seen(), callers.limits, batch[0]!) : undefined);
        const joined = joinChecks(
          async () => (!batchHealthy() || (callers && callersJudged()!.verdict !== 'pass') ? false : health ? await health.read() : true),
          () => {
            if (!batchHealthy()) return `${batch.join(', ')} not healthy`;
            const judged = callersJudged();
            return judged && judged.verdict !== 'pass' ? `its callers: ${judged.detail}` : (health?.failing() ?? '');
          },
          args.checks?.(signal),
        );
        let result: { ok: boolean; verdict: 'healthy' | 'failing' | 'unknown'; detail: string; tookMs: number };
        try {
          result = acted.ok
            ? await verifyHealthy(() => joined.isHealthy(), { healthyForMs: policy.verify.healthyFor, timeoutMs: policy.verify.timeout, signal, whyNot: () => joined.whyNot() })
            : { ok: false, verdict: 'failing' as const, detail: `not verified: the action failed (${acted.detail})`, tookMs: 0 };
        } finally {
          callers?.stop();
        }
        release();
        await record('verification', { rung, batch: b, canary: b === 0, action: part, ...result, ...(callers ? { callers: { share: callers.limits.share, ...callers.seen(), judged: callersJudged()!.detail } } : {}) });
        if (result.verdict === 'unknown') await knowledge.audit.append('controller', 'verification.unknown', incidentId, { rung, batch: b, action: part, detail: result.detail });
        if (!result.ok) await stop(b, result.verdict === 'unknown' ? 'could not be verified (unknown)' : 'failed verification');
        return result;
      },
      { retry: false, timeout: policy.verify.timeout + 10_000 },
    );
    if (verified.verdict === 'unknown') return { ok: false, dryRun, executed, unknown: verified.detail };
    if (!verified.ok) return { ok: false, dryRun, executed };
  }
  return { ok: !dryRun, dryRun, executed };
}
