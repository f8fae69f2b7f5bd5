import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms';
import type { CrossScores } from './promotion-evidence.types';

/** The cross-scoring of one (candidate, champion) pair, computed once and kept (both models are immutable). */
@Entity('promotion_evidence')
export class PromotionEvidenceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  candidateVersionId: string;

  @PrimaryColumn({ type: 'varchar', length: 36 })
  championVersionId: string;

  @Column({ type: 'simple-json' })
  evidence: CrossScores;

  @Column({ type: 'bigint', transformer: epochMs })
  computedAt: number;

  /** How long scoring both models on both holdouts took. */
  @Column({ type: 'integer' })
  durationMs: number;
}
