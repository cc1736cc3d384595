import { z } from 'zod';
import { durationSchema } from './units.js';

/** A ratio in [0, 1]: a share of the window's attempts. */
const ratio = z.number().min(0).max(1);

/**
 * A model provider as an element of the autonomic loop (`provider:<name>`): its attempts,
 * read from the store whichever process made them, become series over a sliding window;
 * a breach of `degradedWhen` raises `model-provider-degraded`, and while it is drained,
 * probe calls raise `model-provider-recovered` once it answers again. Policies act on
 * both (`drain`, `restore`, `escalate`): see docs/model-steps.md.
 */
export const providerElementSchema = z
  .strictObject({
    window: durationSchema.default(30_000).describe('The sliding window the provider\'s series are read over (attempts that finished within it).'),
    minAttempts: z.number().int().min(1).default(4).describe('Fewer attempts than this in the window is no reading: the symptom neither fires nor clears on so little.'),
    degradedWhen: z
      .strictObject({
        errorRatio: ratio.optional().describe('The provider\'s own faults (429, 5xx, resets, timeouts, stalls, truncations) ÷ attempts above this.'),
        rateLimitedRatio: ratio.optional().describe('429s ÷ attempts above this.'),
        invalidOutputRatio: ratio.optional().describe('Answers that failed their output schema ÷ attempts above this.'),
        latency: durationSchema.optional().describe('The median latency of the window\'s attempts above this.'),
      })
      .refine((when) => Object.values(when).some((value) => value !== undefined), 'name at least one of errorRatio, rateLimitedRatio, invalidOutputRatio or latency')
      .describe('When the provider is degraded: any one of these breached over the window (with at least `minAttempts` attempts).'),
    for: durationSchema.default(0).describe('A breach must hold this long before the symptom is raised.'),
    probe: z
      .strictObject({
        model: z.string().min(1).describe('The model a probe asks (one of the provider\'s `models`; a probe is a one-word prompt, at most 8 output tokens).'),
        every: durationSchema.default(5_000).describe('How often a drained provider is probed.'),
        successes: z.number().int().min(1).default(2).describe('Consecutive answered probes that raise `model-provider-recovered`.'),
        timeout: durationSchema.default(5_000).describe('A probe that has not answered in this long failed.'),
      })
      .optional()
      .describe('While the provider is drained, the leader probes it; without `probe` nothing raises `model-provider-recovered`, and a drained provider stays drained.'),
  })
  .describe('The provider as an element of the autonomic loop, `provider:<name>` in policies\' `match.service` (docs/model-steps.md).');
export type ProviderElementConfig = z.output<typeof providerElementSchema>;
