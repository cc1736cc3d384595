import { AnalysisInputError } from '../analysis-error.js';
import { AnomalyLikelihoodDetector, type AnomalyLikelihoodOptions } from './anomaly-likelihood.js';
import { ContextNoveltyDetector, type ContextNoveltyOptions } from './context-novelty.js';
import { BayesianChangepointDetector, type BayesianChangepointOptions } from './bayesian-changepoint.js';
import { ConformalKnnDetector, type ConformalKnnOptions } from './conformal-knn.js';
import type { Detector } from './detector.js';
import { EnsembleDetector, type EnsembleOptions } from './ensemble.js';
import { EwmaDetector, type EwmaOptions } from './ewma.js';
import { RateOfChangeDetector, type RateOfChangeOptions } from './rate-of-change.js';
import { RobustZScoreDetector, type RobustZScoreOptions } from './robust-zscore.js';
import { StaticThresholdDetector, type StaticThresholdOptions } from './static-threshold.js';
import { WindowedGaussianDetector, type WindowedGaussianOptions } from './windowed-gaussian.js';

/** A detector chosen by configuration, as in `homeostat.yaml` (`detector: { kind: ewma, alpha: 0.02 }`). */
export type DetectorConfig =
  | ({ kind: 'static-threshold' } & StaticThresholdOptions)
  | ({ kind: 'rate-of-change' } & RateOfChangeOptions)
  | ({ kind: 'ewma' } & EwmaOptions)
  | ({ kind: 'robust-zscore' } & RobustZScoreOptions)
  | ({ kind: 'windowed-gaussian' } & WindowedGaussianOptions)
  | ({ kind: 'bayesian-changepoint' } & BayesianChangepointOptions)
  | ({ kind: 'conformal-knn' } & ConformalKnnOptions)
  | ({ kind: 'context-novelty' } & ContextNoveltyOptions)
  | ({ kind: 'anomaly-likelihood'; member: DetectorConfig } & AnomalyLikelihoodOptions)
  | ({ kind: 'ensemble'; members?: DetectorConfig[] } & EnsembleOptions);

export type DetectorKind = DetectorConfig['kind'] | 'contextual';

/**
 * The default ensemble: the conformal nearest-neighbour detector next to the Bayesian
 * changepoint detector, one alert per incident (scores muted for 300 samples after each
 * alert). Its hyper-parameters were chosen once for the whole NAB corpus; see BENCHMARKS.md.
 */
export const DEFAULT_ENSEMBLE: Extract<DetectorConfig, { kind: 'ensemble' }> = {
  kind: 'ensemble',
  members: [{ kind: 'conformal-knn' }, { kind: 'bayesian-changepoint' }],
  combine: 'max',
  alertThreshold: 0.999,
  muteSamples: 300,
};

/**
 * The contextual detector: context novelty (16 levels of the running range of the past only,
 * words of 1–3 samples) with a dominance mute of 30 samples — a score is reported only when
 * none at least as high was reported in the last 30 samples, so an incident alerts once
 * whatever the threshold. Chosen once for the whole NAB corpus; see BENCHMARKS.md.
 */
export const DEFAULT_CONTEXTUAL: Extract<DetectorConfig, { kind: 'ensemble' }> = {
  kind: 'ensemble',
  members: [{ kind: 'context-novelty' }],
  muteDominated: true,
  muteSamples: 30,
};

/** The kinds selectable by name (CLI `--detector`, harness), each with its default options. */
export const NAMED_DETECTORS: Readonly<Record<DetectorKind, DetectorConfig>> = {
  'static-threshold': { kind: 'static-threshold', above: 0 },
  'rate-of-change': { kind: 'rate-of-change' },
  ewma: { kind: 'ewma' },
  'robust-zscore': { kind: 'robust-zscore' },
  'windowed-gaussian': { kind: 'windowed-gaussian' },
  'bayesian-changepoint': { kind: 'bayesian-changepoint' },
  'conformal-knn': { kind: 'conformal-knn' },
  ensemble: DEFAULT_ENSEMBLE,
  'context-novelty': { kind: 'context-novelty' },
  'anomaly-likelihood': { kind: 'anomaly-likelihood', member: { kind: 'context-novelty' } },
  contextual: DEFAULT_CONTEXTUAL,
};

/**
 * Build a detector from its configuration.
 *
 * @example createDetector({ kind: 'robust-zscore', window: 500, seasonality: 'daily' })
 * @example createDetector({ kind: 'nope' } as never) // throws HS_ANALYSIS_CONFIG
 */
export function createDetector(config: DetectorConfig): Detector {
  try {
    return build(config);
  } catch (error) {
    if (error instanceof AnalysisInputError) throw error;
    throw new AnalysisInputError('HS_ANALYSIS_CONFIG', `detector "${config.kind}": ${(error as Error).message}`, error);
  }
}

function build(config: DetectorConfig): Detector {
  switch (config.kind) {
    case 'static-threshold':
      return new StaticThresholdDetector(config);
    case 'rate-of-change':
      return new RateOfChangeDetector(config);
    case 'ewma':
      return new EwmaDetector(config);
    case 'robust-zscore':
      return new RobustZScoreDetector(config);
    case 'windowed-gaussian':
      return new WindowedGaussianDetector(config);
    case 'bayesian-changepoint':
      return new BayesianChangepointDetector(config);
    case 'conformal-knn':
      return new ConformalKnnDetector(config);
    case 'context-novelty':
      return new ContextNoveltyDetector(config);
    case 'anomaly-likelihood':
      return new AnomalyLikelihoodDetector(createDetector(config.member), config);
    case 'ensemble': {
      const members = (config.members ?? DEFAULT_ENSEMBLE.members ?? []).map((member) => createDetector(member));
      return new EnsembleDetector(members, config);
    }
    default:
      throw new AnalysisInputError('HS_ANALYSIS_CONFIG', `unknown detector kind "${(config as { kind: string }).kind}"; known: ${Object.keys(NAMED_DETECTORS).join(', ')}`);
  }
}
