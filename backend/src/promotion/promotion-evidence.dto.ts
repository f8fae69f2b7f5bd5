import { ApiProperty } from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem';
import { VersionRefDto } from '../model-registry/registry.dto';
import type { PromotionEvidence } from './promotion-evidence.service';
import {
  VERDICTS,
  type HoldoutComparison,
  type HoldoutMetrics,
  type Verdict,
} from './promotion-evidence.types';

const iso = (ms: number) => new Date(ms).toISOString();

export class HoldoutMetricsDto {
  @ApiProperty({ example: 7.9, description: 'Mean absolute percentage error, in percent' }) mape: number;
  @ApiProperty({ example: 41250.3 }) rmse: number;
  @ApiProperty({ example: 28110.9 }) mae: number;
  @ApiProperty({ example: 0.91 }) r2: number;
  @ApiProperty({ example: 1200, description: 'Rows scored' }) n: number;
}

/** Candidate minus champion (negative MAPE/RMSE/MAE and positive R² favour the candidate). */
export class MetricDeltaDto {
  @ApiProperty({ example: -0.4 }) mape: number;
  @ApiProperty({ example: -1520.2 }) rmse: number;
  @ApiProperty({ example: -980.1 }) mae: number;
  @ApiProperty({ example: 0.01 }) r2: number;
}

export class HoldoutComparisonDto {
  @ApiProperty({
    enum: ['champion', 'candidate'],
    description: "Whose training run's holdout rows these are",
  })
  holdoutOf: 'champion' | 'candidate';
  @ApiProperty({ format: 'uuid' }) runId: string;
  @ApiProperty({ description: 'Holdout rows of the run' }) rows: number;
  @ApiProperty({ description: 'Rows scored: an evenly spaced sample beyond PROMOTION_EVIDENCE_MAX_ROWS' })
  sampledRows: number;
  @ApiProperty({ type: HoldoutMetricsDto }) candidate: HoldoutMetricsDto;
  @ApiProperty({ type: HoldoutMetricsDto }) champion: HoldoutMetricsDto;
  @ApiProperty({ type: MetricDeltaDto }) delta: MetricDeltaDto;

  static from(c: HoldoutComparison): HoldoutComparisonDto {
    const delta = (key: keyof Omit<HoldoutMetrics, 'n'>) => c.candidate[key] - c.champion[key];
    return { ...c, delta: { mape: delta('mape'), rmse: delta('rmse'), mae: delta('mae'), r2: delta('r2') } };
  }
}

export class PromotionEvidenceDto {
  @ApiProperty({ type: VersionRefDto }) candidate: VersionRefDto;
  @ApiProperty({ type: VersionRefDto, nullable: true, description: 'null: there is no champion' })
  champion: VersionRefDto | null;
  @ApiProperty({
    enum: VERDICTS,
    description:
      "From the candidate's MAPE on the champion's holdout against the champion's: worse (by more than margin), " +
      'within-margin, better; no-evidence (see missing); same-version',
  })
  verdict: Verdict;
  @ApiProperty({ description: 'Promoting needs force with a reason (verdict worse)' })
  needsForce: boolean;
  @ApiProperty({
    type: [String],
    example: ['housets-xgboost v3 has no training run with a holdout (uploaded package)'],
    description: 'Why there is no evidence: each missing part named (empty when there is evidence)',
  })
  missing: string[];
  @ApiProperty({ example: 0.02, description: 'PROMOTION_MARGIN: the relative MAPE increase tolerated' })
  margin: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 0.035,
    description: "(candidate MAPE − champion MAPE) / champion MAPE on the champion's holdout",
  })
  relativeMapeChange: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'housets' }) specName: string | null;
  @ApiProperty({
    type: [HoldoutComparisonDto],
    description:
      "Both models on the champion's holdout, then both on the candidate's (empty without evidence)",
  })
  holdouts: HoldoutComparisonDto[];
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When the scores were computed',
  })
  computedAt: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'How long computing them took' })
  durationMs: number | null;

  static from(e: PromotionEvidence): PromotionEvidenceDto {
    const ref = (v: { name: string; version: number }) => ({ name: v.name, version: v.version });
    return {
      candidate: ref(e.candidate),
      champion: e.champion && ref(e.champion),
      verdict: e.verdict,
      needsForce: e.verdict === 'worse',
      missing: e.missing,
      margin: e.margin,
      relativeMapeChange: e.relativeMapeChange,
      specName: e.scores?.specName ?? null,
      holdouts: e.scores
        ? [
            HoldoutComparisonDto.from(e.scores.onChampionHoldout),
            HoldoutComparisonDto.from(e.scores.onCandidateHoldout),
          ]
        : [],
      computedAt: e.computedAt === null ? null : iso(e.computedAt),
      durationMs: e.durationMs,
    };
  }
}

/** The 409 of a promotion refused for its evidence: the problem plus the evidence it rests on. */
export class PromotionNeedsForceDto extends ProblemDetails {
  @ApiProperty({
    type: PromotionEvidenceDto,
    description: 'Why: the candidate is worse beyond PROMOTION_MARGIN',
  })
  evidence: PromotionEvidenceDto;
}
