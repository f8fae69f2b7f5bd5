import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { regressionMetrics, scoreCsv } from '@housing/ml';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { isUniqueViolation } from '../database/constraint-errors';
import { InferenceService } from '../inference/inference.service';
import { MetricsService } from '../metrics/metrics.service';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';
import { RegistryService } from '../model-registry/registry.service';
import { ARTIFACT_STORE, type ArtifactStore } from '../storage/artifact-store';
import type { TrainingRunEntity } from '../training/shared/training-run.entity';
import { TrainingRunsRepository } from '../training/shared/training-runs.repository';
import { HoldoutUnavailable, extractHoldout, holdoutCsvKey, type HoldoutCsv } from './holdout-rows';
import { PromotionEvidenceEntity } from './promotion-evidence.entity';
import type { CrossScores, HoldoutComparison, HoldoutMetrics, Verdict } from './promotion-evidence.types';
import { verdictOf } from './promotion-verdict';

/** The evidence for promoting `candidate` over `champion`, with the verdict under PROMOTION_MARGIN. */
export interface PromotionEvidence {
  candidate: ModelVersionEntity;
  champion: ModelVersionEntity | null;
  verdict: Verdict;
  /** Why there is no evidence (each missing part named); empty when there is. */
  missing: string[];
  margin: number;
  /** (candidate MAPE − champion MAPE) / champion MAPE on the champion's holdout; null without evidence. */
  relativeMapeChange: number | null;
  scores: CrossScores | null;
  computedAt: number | null;
  durationMs: number | null;
}

/** A run with a holdout that can be read back, or why the version has none. */
type RunLookup = { run: TrainingRunEntity } | { missing: string };

/**
 * Promotion with evidence: a candidate is scored on the champion's holdout rows and the champion on the
 * candidate's (each also on its own), both from their training runs, which must share a spec. Computed
 * once per (candidate, champion) pair: concurrent requests in a process share one computation, and the
 * result is kept in promotion_evidence for every instance. The verdict is derived at read time, so a
 * changed PROMOTION_MARGIN applies to evidence already kept.
 */
@Injectable()
export class PromotionEvidenceService {
  private readonly logger = new Logger(PromotionEvidenceService.name);
  private readonly inFlight = new Map<string, Promise<PromotionEvidenceEntity>>();

  constructor(
    @InjectRepository(PromotionEvidenceEntity) private readonly kept: Repository<PromotionEvidenceEntity>,
    private readonly runs: TrainingRunsRepository,
    private readonly registry: RegistryService,
    private readonly inference: InferenceService,
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** Evidence for `candidate` against the current champion (or `against` when given). */
  async evidence(candidate: ModelVersionEntity, against?: ModelVersionEntity): Promise<PromotionEvidence> {
    const champion = against ?? (await this.registry.findChampion());
    if (!champion) return this.without(candidate, null, ['there is no champion to compare with']);
    if (champion.id === candidate.id)
      return { ...this.without(candidate, champion, []), verdict: 'same-version' };
    const [own, theirs] = await Promise.all([this.runWithHoldout(candidate), this.runWithHoldout(champion)]);
    const missing = [own, theirs].flatMap((r) => ('missing' in r ? [r.missing] : []));
    if ('run' in own && 'run' in theirs && own.run.specName !== theirs.run.specName)
      missing.push(`specs differ: ${own.run.specName} vs ${theirs.run.specName}`);
    if (missing.length > 0 || !('run' in own) || !('run' in theirs))
      return this.without(candidate, champion, missing);
    let row: PromotionEvidenceEntity;
    try {
      row = await this.once(candidate, champion, own.run, theirs.run);
    } catch (error) {
      if (!(error instanceof HoldoutUnavailable)) throw error;
      return this.without(candidate, champion, [error.message]);
    }
    return this.withScores(candidate, champion, row);
  }

  private without(candidate: ModelVersionEntity, champion: ModelVersionEntity | null, missing: string[]) {
    return {
      candidate,
      champion,
      verdict: 'no-evidence' as Verdict,
      missing,
      margin: this.config.PROMOTION_MARGIN,
      relativeMapeChange: null,
      scores: null,
      computedAt: null,
      durationMs: null,
    };
  }

  private withScores(
    candidate: ModelVersionEntity,
    champion: ModelVersionEntity,
    row: PromotionEvidenceEntity,
  ): PromotionEvidence {
    const margin = this.config.PROMOTION_MARGIN;
    const { verdict, relativeMapeChange } = verdictOf(row.evidence.onChampionHoldout, margin);
    return {
      candidate,
      champion,
      verdict,
      missing: [],
      margin,
      relativeMapeChange,
      scores: row.evidence,
      computedAt: row.computedAt,
      durationMs: row.durationMs,
    };
  }

  /** The version's training run, when it kept a holdout that can be recomputed. */
  private async runWithHoldout(version: ModelVersionEntity): Promise<RunLookup> {
    const which = `${version.name} v${version.version}`;
    const run = await this.runs.findByModelVersionId(version.id);
    if (!run) return { missing: `${which} has no training run with a holdout (uploaded package)` };
    if (!run.holdoutKey || !run.inputKey || !run.spec)
      return {
        missing:
          `${which} has no training run with a holdout (its run ${run.id} ` +
          `${run.source === 'cli' ? 'was recorded from the CLI' : 'kept none'})`,
      };
    return { run };
  }

  /** The kept evidence of the pair, or one computation of it shared by concurrent callers. */
  private async once(
    candidate: ModelVersionEntity,
    champion: ModelVersionEntity,
    candidateRun: TrainingRunEntity,
    championRun: TrainingRunEntity,
  ): Promise<PromotionEvidenceEntity> {
    const where = { candidateVersionId: candidate.id, championVersionId: champion.id };
    const found = await this.kept.findOneBy(where);
    if (found) return found;
    const pair = `${candidate.id}:${champion.id}`;
    let computing = this.inFlight.get(pair);
    if (!computing) {
      computing = this.compute(candidate, champion, candidateRun, championRun)
        .then(
          (row) => (this.metrics.promotionEvidenceComputations.inc({ outcome: 'computed' }), row),
          (error: unknown) => {
            this.metrics.promotionEvidenceComputations.inc({
              outcome: error instanceof HoldoutUnavailable ? 'unavailable' : 'failed',
            });
            throw error;
          },
        )
        .finally(() => this.inFlight.delete(pair));
      this.inFlight.set(pair, computing);
    }
    return computing;
  }

  private async compute(
    candidate: ModelVersionEntity,
    champion: ModelVersionEntity,
    candidateRun: TrainingRunEntity,
    championRun: TrainingRunEntity,
  ): Promise<PromotionEvidenceEntity> {
    const started = Date.now();
    const [championHoldout, candidateHoldout] = [
      await this.holdout(championRun),
      await this.holdout(candidateRun),
    ];
    const scores: CrossScores = {
      specName: candidateRun.specName,
      onChampionHoldout: await this.compare('champion', championRun, championHoldout, candidate, champion),
      onCandidateHoldout: await this.compare(
        'candidate',
        candidateRun,
        candidateHoldout,
        candidate,
        champion,
      ),
    };
    const row = this.kept.create({
      candidateVersionId: candidate.id,
      championVersionId: champion.id,
      evidence: scores,
      computedAt: Date.now(),
      durationMs: Date.now() - started,
    });
    try {
      await this.kept.insert(row);
    } catch (error) {
      // Another instance kept the same pair first: its row is the evidence every caller sees.
      if (!isUniqueViolation(error)) throw error;
      return this.kept.findOneByOrFail({ candidateVersionId: candidate.id, championVersionId: champion.id });
    }
    this.metrics.promotionEvidenceDuration.observe(row.durationMs / 1000);
    this.logger.log(
      `promotion evidence ${candidate.name} v${candidate.version} vs ${champion.name} v${champion.version} ` +
        `computed in ${row.durationMs} ms`,
    );
    return row;
  }

  /** The run's holdout rows as CSV: extracted once, then read from the store. */
  private async holdout(run: TrainingRunEntity): Promise<HoldoutCsv & { rows: number }> {
    const key = holdoutCsvKey(run.id);
    const max = this.config.PROMOTION_EVIDENCE_MAX_ROWS;
    const progress = run.progress as { splits?: { holdout?: number } } | null;
    if (await this.store.exists(key)) {
      const rows = progress?.splits?.holdout;
      // A kept extraction is reused only when it was taken under the same sampling limit.
      if (rows !== undefined && rows <= max) return { key, rows, sampledRows: rows };
    }
    return extractHoldout(this.store, run, max);
  }

  private async compare(
    holdoutOf: HoldoutComparison['holdoutOf'],
    run: TrainingRunEntity,
    holdout: HoldoutCsv,
    candidate: ModelVersionEntity,
    champion: ModelVersionEntity,
  ): Promise<HoldoutComparison> {
    return {
      holdoutOf,
      runId: run.id,
      rows: holdout.rows,
      sampledRows: holdout.sampledRows,
      candidate: await this.score(candidate, holdout.key),
      champion: await this.score(champion, holdout.key),
    };
  }

  /** Scores a holdout CSV with a version, chunk by chunk (the batch worker's scoring path). */
  private async score(version: ModelVersionEntity, key: string): Promise<HoldoutMetrics> {
    const model = await this.inference.loadVersion(version);
    const release = model.hold();
    try {
      const result = await scoreCsv(
        model.manifest,
        { predict: (features, rows) => model.predictFeatures(features, rows) },
        await this.store.getStream(key),
        null,
        null,
        {
          collectActuals: true,
          chunkRows: this.config.BATCH_CHUNK_ROWS,
          maxLineBytes: this.config.CSV_MAX_LINE_BYTES,
          // Yields between chunks so predictions on the same process keep their latency.
          onChunk: () => new Promise<void>((resolve) => setImmediate(resolve)),
        },
      );
      const actuals = result.actuals ?? { actual: new Float64Array(), predicted: new Float64Array() };
      const m = regressionMetrics(actuals.actual, actuals.predicted);
      return { mape: m.mape, rmse: m.rmse, mae: m.mae, r2: m.r2, n: m.rows };
    } finally {
      release();
    }
  }
}
