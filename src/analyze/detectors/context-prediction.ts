import { clampScore, type Detector } from './detector.js';

/** Options of {@link ContextPredictionDetector}. */
export interface ContextPredictionOptions {
  /** Levels the running range is cut into (default 32); a level's binary digits are its facts. */
  levels?: number;
  /** Most digits a learned generalisation fixes (default 3); the full pattern of a level is always kept. */
  maxPattern?: number;
  /** A value beyond the running range by more than this share of it scores 1 (default 0.05). */
  rangeTolerance?: number;
  /** Samples before scoring (default 10). */
  warmup?: number;
  /**
   * Forget the learned contexts when the running range has grown by this factor since they
   * were learned (default 8; Infinity never forgets): levels learned on a much narrower range
   * stand for other values now, so their transitions would predict the wrong things — notably
   * those of the first samples, whose range is tiny.
   */
  relearnGrowth?: number;
}

/** A learned context: a pattern over the previous level's binary digits, and the levels that followed it. */
interface Context {
  /** Which digits the pattern fixes. */
  mask: number;
  /** Their values (digits outside `mask` are 0). */
  digits: number;
  /** Bitset of the levels that followed a match, one bit per level. */
  followers: Uint32Array;
  /** How many distinct levels followed (the predictions a match makes). */
  distinct: number;
}

/** Levels beyond this would make the 3^digits patterns, each with a bitset of levels, too large. */
const MAX_LEVELS = 256;

/**
 * A contextual anomaly detector that learns which transitions occur and scores the share of
 * failed predictions — after the idea of CAD OSE (contextual anomaly detection; our own
 * formulation and code, not a port).
 *
 * Each value is placed in one of `levels` levels of the running range of the past (never the
 * series' future minimum or maximum); the binary digits of that level are its facts, so
 * neighbouring levels share most facts. A context is a pattern over the previous level's
 * digits — its full pattern, or a generalisation that fixes only some digits ("the previous
 * value was in the upper half"). Generalisations are learned, not enumerated: whenever the
 * previous level agrees with a known pattern on some but not all of its digits (at most
 * `maxPattern` of them), the agreeing part becomes a pattern too. Every context remembers
 * which levels followed it.
 *
 * For each sample, the contexts matching the previous level predict the levels that followed
 * them before. The score is the mean of (a) the share of those predictions that failed and
 * (b) the share of matching contexts that never saw this level follow; then every matching
 * context learns it. A value clearly beyond the running range (by more than `rangeTolerance`
 * of it) scores 1. When the running range has grown `relearnGrowth`-fold since the contexts
 * were learned, they are forgotten and learned afresh. Pair it with a dominance mute
 * (`ensemble` with `muteDominated`), so an incident alerts once.
 *
 * Memory is bounded whatever the series: at most 3^digits patterns (each digit fixed to 0, to
 * 1, or free), each with a bitset of `levels` bits — about 8 KiB for the default 32 levels.
 *
 * @example new ContextPredictionDetector({ levels: 32 })
 * @example new ContextPredictionDetector({ levels: 1 }) // throws: levels must be an integer in 2 … 256
 */
export class ContextPredictionDetector implements Detector {
  private readonly levels: number;
  private readonly fullMask: number;
  private readonly maxPattern: number;
  private readonly rangeTolerance: number;
  private readonly warmup: number;
  private readonly relearnGrowth: number;
  private readonly words: number;
  private readonly contexts: Context[] = [];
  private readonly byKey = new Map<number, Context>();
  /** The contexts matching the previous level: they make this sample's predictions. */
  private matching: Context[] = [];
  private low = Number.POSITIVE_INFINITY;
  private high = Number.NEGATIVE_INFINITY;
  private seen = 0;
  /** The range when the current contexts began to be learned (0 until one is known). */
  private learnedRange = 0;
  private lastBeyondRange = false;

  constructor(options: ContextPredictionOptions = {}) {
    this.levels = options.levels ?? 32;
    this.maxPattern = options.maxPattern ?? 3;
    this.rangeTolerance = options.rangeTolerance ?? 0.05;
    this.warmup = options.warmup ?? 10;
    this.relearnGrowth = options.relearnGrowth ?? 8;
    if (!Number.isInteger(this.levels) || this.levels < 2 || this.levels > MAX_LEVELS) throw new RangeError(`context-prediction: levels must be an integer in 2 … ${MAX_LEVELS}`);
    if (!Number.isInteger(this.maxPattern) || this.maxPattern < 1) throw new RangeError('context-prediction: maxPattern must be an integer ≥ 1');
    if (!(this.rangeTolerance >= 0)) throw new RangeError('context-prediction: rangeTolerance must be ≥ 0');
    if (!(this.warmup >= 0)) throw new RangeError('context-prediction: warmup must be ≥ 0');
    if (!(this.relearnGrowth > 1)) throw new RangeError('context-prediction: relearnGrowth must be > 1');
    const digits = Math.ceil(Math.log2(this.levels));
    this.fullMask = (1 << digits) - 1;
    this.words = Math.ceil(this.levels / 32);
  }

  /**
   * Whether the last sample lay clearly beyond the running range (it scored 1 for that, not for
   * a failed prediction) — so a caller can tell a new extreme from an unforeseen in-range level.
   */
  get beyondRange(): boolean {
    return this.lastBeyondRange;
  }

  /** How many contexts have been learned (bounded by 3^digits). */
  get contextCount(): number {
    return this.contexts.length;
  }

  update(_timestamp: number, value: number): number {
    // A missing or broken sample neither scores nor teaches anything.
    this.lastBeyondRange = false;
    if (!Number.isFinite(value)) return 0;
    this.seen++;
    const margin = (this.high - this.low) * this.rangeTolerance;
    const outside = this.seen > 1 && (value > this.high + margin || value < this.low - margin);
    if (value > this.high) this.high = value;
    if (value < this.low) this.low = value;
    const range = this.high - this.low;
    const level = range > 0 ? Math.min(this.levels - 1, Math.floor(((value - this.low) / range) * this.levels)) : 0;

    const raw = this.predictAndLearn(level);
    this.matching = this.contextsMatching(level);
    if (this.seen > this.warmup && range > this.relearnGrowth * this.learnedRange) {
      if (this.learnedRange > 0) this.forget();
      this.learnedRange = range;
    }
    if (this.seen <= this.warmup) return 0;
    this.lastBeyondRange = outside;
    if (outside) return 1;
    return clampScore(raw);
  }

  /** Drop every learned context; the next sample starts learning afresh. */
  private forget(): void {
    this.contexts.length = 0;
    this.byKey.clear();
    this.matching = [];
  }

  /** Score `level` against the predictions of the matching contexts, then teach it to them. */
  private predictAndLearn(level: number): number {
    if (this.matching.length === 0) return 0;
    const word = level >>> 5;
    const bit = 1 << (level & 31);
    let predictions = 0;
    let fulfilled = 0;
    let surprised = 0;
    for (const context of this.matching) {
      predictions += context.distinct;
      if ((context.followers[word]! & bit) !== 0) fulfilled++;
      else {
        surprised++;
        context.followers[word]! |= bit;
        context.distinct++;
      }
    }
    const failedShare = predictions > 0 ? 1 - fulfilled / predictions : 0;
    return (failedShare + surprised / this.matching.length) / 2;
  }

  /**
   * The contexts that match `level` (their fixed digits agree with it), learning the agreeing
   * part of every partly matching pattern, and the level's full pattern, as new contexts.
   */
  private contextsMatching(level: number): Context[] {
    const matching: Context[] = [];
    const learned = new Set<Context>();
    const known = this.contexts.length;
    for (let i = 0; i < known; i++) {
      const context = this.contexts[i]!;
      const agreeing = context.mask & ~(context.digits ^ level);
      if (agreeing === context.mask) matching.push(context);
      else if (agreeing !== 0 && bitCount(agreeing) <= this.maxPattern) learned.add(this.context(agreeing, level & agreeing));
    }
    learned.add(this.context(this.fullMask, level));
    for (const context of learned) if (!matching.includes(context)) matching.push(context);
    return matching;
  }

  /** The context for a pattern, created on first use. */
  private context(mask: number, digits: number): Context {
    const key = mask * (this.fullMask + 1) + digits;
    let context = this.byKey.get(key);
    if (context === undefined) {
      context = { mask, digits, followers: new Uint32Array(this.words), distinct: 0 };
      this.byKey.set(key, context);
      this.contexts.push(context);
    }
    return context;
  }
}

function bitCount(n: number): number {
  let count = 0;
  for (let rest = n; rest !== 0; rest &= rest - 1) count++;
  return count;
}
