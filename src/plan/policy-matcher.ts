import type { PolicyConfig } from '../config/schema/policies.js';

/** What a policy is matched against. */
export interface MatchInput {
  symptom: string;
  diagnosis: string;
  service: string;
  /** The diagnosis' classification (`transient`, `persistent`, `byzantine`), when known. */
  classification?: string;
  labels: Record<string, string>;
}

/** A matched policy with its environment's overrides applied. */
export interface MatchedPolicy {
  name: string;
  policy: PolicyConfig;
  /** Why it matched, for the explanation. */
  reason: string;
}

/**
 * The first policy (in file order) whose every given criterion holds; environment
 * overrides (`environments.prod.approval.required: true`) are merged in. A policy that
 * matches on `classification` lets a persistent fault skip the restarts that did not hold.
 * @example matchPolicy(config.policies, { symptom: 'process-crashed', diagnosis: 'process-crashed', service: 'api', labels: {} }, 'prod')
 * @example matchPolicy({}, input, 'prod') // undefined: no policy, the incident escalates
 */
export function matchPolicy(policies: Record<string, PolicyConfig>, input: MatchInput, environment: string): MatchedPolicy | undefined {
  for (const [name, policy] of Object.entries(policies)) {
    const { match } = policy;
    if (match.symptom && !match.symptom.includes(input.symptom)) continue;
    if (match.diagnosis && !match.diagnosis.includes(input.diagnosis)) continue;
    if (match.service && !match.service.includes(input.service)) continue;
    if (match.classification && !(input.classification !== undefined && (match.classification as string[]).includes(input.classification))) continue;
    if (match.labels && !Object.entries(match.labels).every(([key, value]) => input.labels[key] === value)) continue;
    const override = policy.environments[environment];
    const effective = withEnvironment(policy, environment);
    const criteria = [
      match.symptom && `symptom ${input.symptom}`,
      match.diagnosis && `diagnosis ${input.diagnosis}`,
      match.service && `service ${input.service}`,
      match.classification && `classification ${input.classification}`,
      match.labels && `labels ${JSON.stringify(match.labels)}`,
    ].filter(Boolean);
    return { name, policy: effective, reason: `policy "${name}" matches ${criteria.length ? criteria.join(', ') : 'everything'}${override ? ` (with the ${environment} overrides)` : ''}` };
  }
  return undefined;
}

/**
 * The policy called `name` as the given environment runs it (its overrides merged in), or
 * undefined when the config has no such policy. Remediations read their ladder this way,
 * from the applied config, by the name the loop matched.
 * @example policyNamed(config.policies, 'restart-api', 'prod')?.approval.required
 */
export function policyNamed(policies: Record<string, PolicyConfig>, name: string, environment: string): PolicyConfig | undefined {
  const policy = Object.hasOwn(policies, name) ? policies[name] : undefined;
  return policy && withEnvironment(policy, environment);
}

function withEnvironment(policy: PolicyConfig, environment: string): PolicyConfig {
  const override = policy.environments[environment];
  return override ? { ...policy, approval: { ...policy.approval, ...definedOnly(override.approval ?? {}) }, dryRun: override.dryRun ?? policy.dryRun } : policy;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
