import { Injectable } from '@nestjs/common';
import {
  cents,
  checkRecord,
  priceInterval,
  summariseExplanation,
  type ExplanationSummary,
  type FieldWarning,
  type PriceInterval,
} from '@housing/ml';
import { validationProblem, type FieldProblem } from '../common/problem';
import { InferenceService, type LoadedModel } from '../inference/inference.service';
import { noModel } from '../inference/no-model.problem';
import { MetricsService } from '../metrics/metrics.service';
import { DriftRecorder } from '../monitoring/drift-recorder.service';
import type { BulkPredictionResultDto } from './prediction.dto';

/** none: no explanation; top: the largest column contributions; all: every column and model input. */
export type ExplainMode = 'none' | 'top' | 'all';
export const TOP_CONTRIBUTIONS = 10;

/** The explanation a request asked for (undefined when it did not; null when the package cannot explain). */
function explanationOf(
  model: LoadedModel,
  record: Record<string, unknown>,
  mode: ExplainMode,
): ExplanationSummary | null | undefined {
  if (mode === 'none') return undefined;
  if (!model.explainer) return null;
  const explanation = model.explainer.explain(record);
  return summariseExplanation(explanation, mode === 'all' ? Infinity : TOP_CONTRIBUTIONS, mode === 'all');
}

/** The calibrated range of a price, in cents like the price; null for packages without intervals. */
function intervalOf(model: LoadedModel, price: number): PriceInterval | null {
  const range = priceInterval(model.manifest, price);
  return range && { low: cents(range.low), high: cents(range.high), level: range.level };
}

@Injectable()
export class PredictionService {
  constructor(
    private readonly inference: InferenceService,
    private readonly metrics: MetricsService,
    private readonly drift: DriftRecorder,
  ) {}

  /** The served model, or the version `reference` names (`name@alias`, `name/version`), loaded if need be. */
  private async model(reference?: string): Promise<LoadedModel> {
    if (reference !== undefined) return this.inference.modelFor(reference);
    const model = this.inference.model();
    if (!model) throw noModel(this.inference);
    return model;
  }

  private countWarnings(warnings: readonly FieldWarning[], channel: 'online' | 'bulk'): void {
    for (const kind of new Set(warnings.map((w) => w.kind)))
      this.metrics.predictionWarnings.inc({ kind, channel });
  }

  /** One record: checked against the model's signature, every bad field named, warnings returned. */
  async predictOne(
    record: Record<string, unknown>,
    explain: ExplainMode = 'none',
    reference?: string,
  ): Promise<{
    price: number;
    interval: PriceInterval | null;
    explanation?: ExplanationSummary | null;
    model: LoadedModel;
    warnings: FieldWarning[];
  }> {
    const model = await this.model(reference);
    const { errors: problems, warnings } = checkRecord(record, model.manifest);
    if (problems.length > 0) {
      this.metrics.validationFailures.inc({ route: 'predictions' });
      throw validationProblem(problems.map((p) => ({ field: `record.${p.field}`, message: p.message })));
    }
    const [price] = await model.predict([record]);
    this.metrics.predictions.inc({
      model: model.version.name,
      version: String(model.version.version),
      channel: 'online',
    });
    this.countWarnings(warnings, 'online');
    this.drift.record(model, record, price!);
    const explanation = explanationOf(model, record, explain);
    return {
      price: cents(price!),
      interval: intervalOf(model, price!),
      ...(explanation !== undefined && { explanation }),
      model,
      warnings,
    };
  }

  /** Up to 1,000 records; bad records are reported beside the good ones, not failing the request. */
  async predictMany(
    records: Record<string, unknown>[],
    explain: ExplainMode = 'none',
    reference?: string,
  ): Promise<{ results: BulkPredictionResultDto[]; model: LoadedModel; failed: number }> {
    const model = await this.model(reference);
    const results: BulkPredictionResultDto[] = new Array(records.length);
    const good: Record<string, unknown>[] = [];
    const goodIndex: number[] = [];
    const goodWarnings: FieldWarning[][] = [];
    records.forEach((record, index) => {
      const { errors: problems, warnings } = checkRecord(record, model.manifest);
      if (problems.length > 0) {
        results[index] = {
          index,
          errors: problems.map((p): FieldProblem => ({
            field: `records[${index}].${p.field}`,
            message: p.message,
          })),
        };
      } else {
        good.push(record);
        goodIndex.push(index);
        goodWarnings.push(warnings);
      }
    });
    const failed = records.length - good.length;
    if (failed > 0) this.metrics.validationFailures.inc({ route: 'predictions/bulk' }, failed);
    if (good.length > 0) {
      const prices = await model.predict(good);
      goodIndex.forEach((index, k) => {
        this.drift.record(model, good[k]!, prices[k]!);
        const explanation = explanationOf(model, good[k]!, explain);
        results[index] = {
          index,
          price: cents(prices[k]!),
          interval: intervalOf(model, prices[k]!),
          ...(explanation !== undefined && { explanation }),
          warnings: goodWarnings[k]!,
        };
        this.countWarnings(goodWarnings[k]!, 'bulk');
      });
      this.metrics.predictions.inc(
        { model: model.version.name, version: String(model.version.version), channel: 'bulk' },
        good.length,
      );
    }
    return { results, model, failed };
  }
}
