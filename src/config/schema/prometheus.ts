import { z } from 'zod';
import { durationSchema } from './units.js';

/** `prometheus: { url: http://127.0.0.1:9090 }`: the Prometheus PromQL rules (`symptoms.<rule>.query`) and verification checks (`policies.<p>.verify.checks`) ask. */
export const prometheusSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/ })
      .describe('Base URL of the Prometheus HTTP API (`http://prometheus:9090`; `/api/v1/query` and `/api/v1/query_range` are added).'),
    timeout: durationSchema.default(5_000).describe('A query not answered within this long counts as failed (the rule stays unknown; a verification check reads unknown).'),
  })
  .optional()
  .describe('The Prometheus that PromQL symptom rules (`query:`) and verification checks (`verify.checks`) read, so series Prometheus already has need not be scraped again.');
export type PrometheusConfig = NonNullable<z.output<typeof prometheusSchema>>;
