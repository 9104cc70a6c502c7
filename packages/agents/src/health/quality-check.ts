import { checkInt, checkName, checkNumber, invalidOption } from '../model/policy/option-checks.js';
import type { CheckOutcome } from './check-result.js';
import type { HealthCheck } from './health-check.js';

export const QUALITY_DEFAULTS = Object.freeze({
  window: 50,
  threshold: 0.8,
  sampleEvery: 1,
  everyMs: 60_000,
});

/** One answer of the agent type: what it was asked, what it answered, when (node clock). */
export interface QualitySample {
  readonly input: string;
  readonly output: string;
  readonly at: number;
}

/** Scores an answer in [0, 1] (1 = as good as it gets). May be async (a judge model). */
export type QualityScorer = (sample: QualitySample) => number | Promise<number>;

export interface QualityOptions {
  readonly agent: string;
  readonly scorer: QualityScorer;
  /** The moving window: the last `window` scored samples. */
  readonly window?: number;
  /** The alarm: the window's mean score below this. */
  readonly threshold?: number;
  /** No verdict (`unknown`) before this many samples are in the window. Default: `window`. */
  readonly minSamples?: number;
  /** Scores one answer in `sampleEvery` (1 = every answer): a judge model costs money. */
  readonly sampleEvery?: number;
  readonly everyMs?: number;
  readonly name?: string;
}

/**
 * L4: the mean score of the last `window` sampled answers, and a drift alarm (status `fail`)
 * from the sample that takes the mean below `threshold`. Liveness and readiness cannot see a
 * model that answers promptly and wrongly; this can, within one window of samples of the
 * answers going bad. A scorer that throws or returns anything but a number in [0, 1] does not
 * count: it is counted in `detail.scorerErrors` instead.
 */
export class QualityCheck implements HealthCheck {
  readonly name: string;
  readonly level = 'L4' as const;
  readonly agent: string;
  readonly everyMs: number;
  readonly window: number;
  readonly threshold: number;
  readonly minSamples: number;
  readonly sampleEvery: number;
  readonly #scorer: QualityScorer;
  readonly #scores: number[] = [];
  #sum = 0;
  #seen = 0;
  #scored = 0;
  #scorerErrors = 0;
  #listeners: (() => void)[] = [];

  constructor(options: QualityOptions) {
    this.agent = checkName('agent', options?.agent);
    if (typeof options.scorer !== 'function') {
      throw invalidOption('scorer', options.scorer, 'a function');
    }
    this.#scorer = options.scorer;
    this.window = checkInt('window', options.window ?? QUALITY_DEFAULTS.window, 1);
    this.threshold = checkNumber(
      'threshold',
      options.threshold ?? QUALITY_DEFAULTS.threshold,
      0,
      1,
    );
    this.minSamples = checkInt('minSamples', options.minSamples ?? this.window, 1);
    if (this.minSamples > this.window) {
      throw invalidOption('minSamples', this.minSamples, `at most window (${this.window})`);
    }
    this.sampleEvery = checkInt(
      'sampleEvery',
      options.sampleEvery ?? QUALITY_DEFAULTS.sampleEvery,
      1,
    );
    this.everyMs = checkInt('everyMs', options.everyMs ?? QUALITY_DEFAULTS.everyMs, 1);
    this.name = checkName('name', options.name ?? `quality:${this.agent}`);
  }

  /** The window's mean score; undefined while it is empty. */
  get score(): number | undefined {
    return this.#scores.length === 0 ? undefined : this.#sum / this.#scores.length;
  }

  /**
   * Offers an answer. One in `sampleEvery` is scored; the result is in the window when the
   * returned promise settles (at once for a synchronous scorer). Never rejects.
   */
  async record(sample: QualitySample): Promise<void> {
    if (this.#seen++ % this.sampleEvery !== 0) return;
    let score: unknown;
    try {
      score = await this.#scorer(sample);
    } catch {
      score = undefined;
    }
    if (typeof score !== 'number' || !(score >= 0 && score <= 1)) {
      this.#scorerErrors++;
      return;
    }
    this.#scores.push(score);
    this.#sum += score;
    if (this.#scores.length > this.window) this.#sum -= this.#scores.shift() as number;
    this.#scored++;
    for (const listener of this.#listeners) listener();
  }

  run(): CheckOutcome {
    const score = this.score;
    const detail = {
      score: score === undefined ? null : round(score),
      samples: this.#scores.length,
      scored: this.#scored,
      threshold: this.threshold,
      window: this.window,
      scorerErrors: this.#scorerErrors,
    };
    if (score === undefined || this.#scores.length < this.minSamples) {
      return { status: 'unknown', detail };
    }
    return { status: score < this.threshold ? 'fail' : 'pass', detail };
  }

  attach(rerun: () => void): () => void {
    this.#listeners.push(rerun);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== rerun);
    };
  }
}

/** A sum kept by adding and subtracting drifts in the last digits: report four. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
