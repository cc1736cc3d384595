import { AnalysisInputError } from '../analysis-error.js';
import { AlertFatigueDetector, type AlertFatigueOptions } from './alert-fatigue.js';
import { AlertRateDiscountDetector, type AlertRateDiscountOptions } from './alert-rate-discount.js';
import { AnomalyLikelihoodDetector, type AnomalyLikelihoodOptions } from './anomaly-likelihood.js';
import { ContextNoveltyDetector, type ContextNoveltyOptions } from './context-novelty.js';
import { ContextPredictionDetector, type ContextPredictionOptions } from './context-prediction.js';
import { ValueRankPredictionDetector, type ValueRankPredictionOptions } from './value-rank-prediction.js';
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
  | ({ kind: 'context-prediction' } & ContextPredictionOptions)
  | ({ kind: 'value-rank-prediction' } & ValueRankPredictionOptions)
  | ({ kind: 'anomaly-likelihood'; member: DetectorConfig } & AnomalyLikelihoodOptions)
  | ({ kind: 'alert-rate-discount'; member: DetectorConfig } & AlertRateDiscountOptions)
  | ({ kind: 'alert-fatigue'; member: DetectorConfig } & AlertFatigueOptions)
  | ({ kind: 'ensemble'; members?: DetectorConfig[] } & EnsembleOptions);

export type DetectorKind = DetectorConfig['kind'] | 'contextual' | 'contextual-prediction' | 'contextual-value-rank' | 'contextual-fatigue';

/**
 * The ensemble (by name, and the members of an ensemble configured without any): the
 * conformal nearest-neighbour detector next to the Bayesian changepoint detector, one alert
 * per incident (scores muted for 300 samples after each alert). Its hyper-parameters were
 * chosen once for the whole NAB corpus; see BENCHMARKS.md.
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

/**
 * The contextual prediction detector: context prediction (32 levels of the running range of
 * the past only; learned contexts over the previous level, scored by the share of failed
 * predictions) with the same dominance mute of 30 samples. Chosen once for the whole NAB
 * corpus, with a two-fold held-out check; see BENCHMARKS.md.
 */
export const DEFAULT_CONTEXTUAL_PREDICTION: Extract<DetectorConfig, { kind: 'ensemble' }> = {
  kind: 'ensemble',
  members: [{ kind: 'context-prediction' }],
  muteDominated: true,
  muteSamples: 30,
};

/**
 * The best detector on NAB: context prediction on the value and on its rank among the last
 * 2000 values (alert only when both views are surprised, or the value leaves its range), the
 * same dominance mute of 30 samples, and scores lowered by 0.02 per alert in the last 4000
 * samples. Chosen once for the whole NAB corpus, with a two-fold held-out check; see
 * BENCHMARKS.md.
 */
export const DEFAULT_CONTEXTUAL_VALUE_RANK: Extract<DetectorConfig, { kind: 'alert-rate-discount' }> = {
  kind: 'alert-rate-discount',
  member: { kind: 'ensemble', members: [{ kind: 'value-rank-prediction' }], muteDominated: true, muteSamples: 30 },
  alertLevel: 0.6,
  horizon: 4000,
  discount: 0.02,
};

/**
 * The best detector on NAB's low-false-positive profile: `contextual-value-rank` with an
 * in-range certainty confirmed on a coarser cut of the range (10 levels; unconfirmed, it scores
 * 0.8), and instead of the fixed discount, alert fatigue: scores scaled by
 * 1 − 0.7 + 0.7 · e^(−0.1 · recent alerts), alerts fading over 8000 samples. Chosen once for the
 * whole NAB corpus, with a two-fold held-out check; see BENCHMARKS.md.
 */
export const DEFAULT_CONTEXTUAL_FATIGUE: Extract<DetectorConfig, { kind: 'alert-fatigue' }> = {
  kind: 'alert-fatigue',
  member: { kind: 'ensemble', members: [{ kind: 'value-rank-prediction', confirmLevels: 10, unconfirmedScore: 0.8 }], muteDominated: true, muteSamples: 30 },
  alertLevel: 0.6,
  depth: 0.7,
  rate: 0.1,
  memory: 8000,
};

/**
 * The detector `homeostat analyze detect` uses without `--detector`: the best one measured on
 * real data — on the NAB corpus 79.66 / 72.77 / 83.84 (standard / low-FP / low-FN), and
 * 78.27 / 71.46 / 82.39 with the threshold held out, where the ensemble scores 45.93 /
 * 35.99 / 50.93 (BENCHMARKS.md, "Anomaly detection (NAB)").
 */
export const DEFAULT_DETECTOR_NAME = 'contextual-fatigue' satisfies DetectorKind;

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
  'context-prediction': { kind: 'context-prediction' },
  'contextual-prediction': DEFAULT_CONTEXTUAL_PREDICTION,
  'value-rank-prediction': { kind: 'value-rank-prediction' },
  'contextual-value-rank': DEFAULT_CONTEXTUAL_VALUE_RANK,
  // A wrapper: by name it is the contextual-value-rank detector; in configuration it wraps any member.
  'alert-rate-discount': DEFAULT_CONTEXTUAL_VALUE_RANK,
  'contextual-fatigue': DEFAULT_CONTEXTUAL_FATIGUE,
  // A wrapper: by name it is the contextual-fatigue detector; in configuration it wraps any member.
  'alert-fatigue': DEFAULT_CONTEXTUAL_FATIGUE,
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
    case 'context-prediction':
      return new ContextPredictionDetector(config);
    case 'value-rank-prediction':
      return new ValueRankPredictionDetector(config);
    case 'anomaly-likelihood':
      return new AnomalyLikelihoodDetector(createDetector(config.member), config);
    case 'alert-rate-discount':
      return new AlertRateDiscountDetector(createDetector(config.member), config);
    case 'alert-fatigue':
      return new AlertFatigueDetector(createDetector(config.member), config);
    case 'ensemble': {
      const members = (config.members ?? DEFAULT_ENSEMBLE.members ?? []).map((member) => createDetector(member));
      return new EnsembleDetector(members, config);
    }
    default:
      throw new AnalysisInputError('HS_ANALYSIS_CONFIG', `unknown detector kind "${(config as { kind: string }).kind}"; known: ${Object.keys(NAMED_DETECTORS).join(', ')}`);
  }
}

type OptionType = 'number' | 'boolean' | 'seasonality' | 'combine' | 'numbers' | 'levels';

/** The options each named detector takes in homeostat.yaml, and their types (composite members are not configurable there). */
const OPTION_TYPES: Readonly<Record<DetectorKind, Readonly<Record<string, OptionType>>>> = {
  'static-threshold': { above: 'number', below: 'number', margin: 'number' },
  'rate-of-change': { maxRatePerSecond: 'number', window: 'number', warmup: 'number' },
  ewma: { alpha: 'number', seasonality: 'seasonality', slotMs: 'number', warmup: 'number' },
  'robust-zscore': { window: 'number', seasonality: 'seasonality', slotMs: 'number', warmup: 'number' },
  'windowed-gaussian': { window: 'number', shortWindow: 'number', warmup: 'number' },
  'bayesian-changepoint': { expectedRunLength: 'number', maxRunLength: 'number', scaleAlpha: 'number', warmup: 'number' },
  'conformal-knn': { dimension: 'number', reference: 'number', neighbours: 'number', calibration: 'number', scaleWindow: 'number', warmup: 'number' },
  'context-novelty': { levels: 'levels', maxOrder: 'number', capacity: 'number', rangeTolerance: 'number', warmup: 'number' },
  'anomaly-likelihood': { averaging: 'number', history: 'number', learning: 'number', minSd: 'number', floor: 'number' },
  ensemble: { combine: 'combine', weights: 'numbers', alertThreshold: 'number', muteSamples: 'number', muteMs: 'number', muteFactor: 'number', muteDominated: 'boolean' },
  contextual: { muteSamples: 'number', muteMs: 'number', muteDominated: 'boolean' },
  'context-prediction': { levels: 'number', maxPattern: 'number', rangeTolerance: 'number', warmup: 'number', relearnGrowth: 'number' },
  'contextual-prediction': { muteSamples: 'number', muteMs: 'number', muteDominated: 'boolean' },
  'value-rank-prediction': { levels: 'number', rankLevels: 'number', rankWindow: 'number', maxPattern: 'number', rangeTolerance: 'number', warmup: 'number', relearnGrowth: 'number', confirmLevels: 'number', unconfirmedScore: 'number' },
  'alert-rate-discount': { alertLevel: 'number', horizon: 'number', discount: 'number' },
  'contextual-value-rank': { alertLevel: 'number', horizon: 'number', discount: 'number' },
  'alert-fatigue': { alertLevel: 'number', depth: 'number', rate: 'number', memory: 'number' },
  'contextual-fatigue': { alertLevel: 'number', depth: 'number', rate: 'number', memory: 'number' },
};

/** A detector option that does not fit, with the option it is about (undefined: the name). */
export interface DetectorOptionIssue {
  option: string | undefined;
  message: string;
}

/**
 * Check a detector chosen by name with options, as `detector: { name: robust-zscore, window: 120 }`
 * in homeostat.yaml, and return its configuration (the named defaults with the options
 * over them) — or the issues: an unknown name, an unknown option, a wrong type, a value the
 * detector refuses.
 *
 * @example parseDetectorOptions('robust-zscore', { window: 120 }) // { config: { kind: 'robust-zscore', window: 120 } }
 * @example parseDetectorOptions('robust-zscore', { windw: 1 }).issues // [{ option: 'windw', message: 'unknown option …' }]
 */
export function parseDetectorOptions(name: string, options: Readonly<Record<string, unknown>>): { config: DetectorConfig; issues?: undefined } | { config?: undefined; issues: DetectorOptionIssue[] } {
  if (!Object.hasOwn(NAMED_DETECTORS, name)) return { issues: [{ option: undefined, message: `unknown detector "${name}"; known: ${Object.keys(NAMED_DETECTORS).join(', ')}` }] };
  const kind = name as DetectorKind;
  const types = OPTION_TYPES[kind];
  const issues: DetectorOptionIssue[] = [];
  for (const [option, value] of Object.entries(options)) {
    const type = types[option];
    if (type === undefined) {
      issues.push({ option, message: `unknown option "${option}" for detector ${name}; known: ${Object.keys(types).join(', ') || 'none'}` });
      continue;
    }
    const problem = optionProblem(type, value);
    if (problem) issues.push({ option, message: problem });
  }
  if (issues.length > 0) return { issues };
  const config = { ...NAMED_DETECTORS[kind], ...options } as DetectorConfig;
  try {
    createDetector(config);
  } catch (error) {
    return { issues: [{ option: undefined, message: (error as Error).message }] };
  }
  return { config };
}

function optionProblem(type: OptionType, value: unknown): string | undefined {
  const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  switch (type) {
    case 'number':
      return isNumber(value) ? undefined : `expected a number, got ${JSON.stringify(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${JSON.stringify(value)}`;
    case 'seasonality':
      return value === 'none' || value === 'daily' || value === 'weekly' ? undefined : `expected none, daily or weekly, got ${JSON.stringify(value)}`;
    case 'combine':
      return value === 'max' || value === 'mean' ? undefined : `expected max or mean, got ${JSON.stringify(value)}`;
    case 'numbers':
      return Array.isArray(value) && value.every(isNumber) ? undefined : `expected a list of numbers, got ${JSON.stringify(value)}`;
    case 'levels':
      return isNumber(value) || (Array.isArray(value) && value.every(isNumber)) ? undefined : `expected a number or a list of numbers, got ${JSON.stringify(value)}`;
  }
}
