import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../database/epoch-ms';
import type { ColumnProfile } from './dataset-profile';

/** One registered dataset version: immutable, stored in the artifact store under its sha256. */
@Entity('datasets')
export class DatasetEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id: string;

  /** sha256 of the file's bytes: the identity (unique) and the artifact key. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  sha256: string;

  @Column({ type: 'varchar', length: 100 })
  specName: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  fileName: string | null;

  @Column({ type: 'bigint', transformer: epochMs })
  bytes: number;

  @Column({ type: 'integer' })
  rowCount: number;

  @Column({ type: 'simple-json' })
  columns: ColumnProfile[];

  @Column({ type: 'varchar', length: 500 })
  artifactKey: string;

  /** Id of the API key that registered it. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  addedBy: string | null;

  @Index()
  @Column({ type: 'bigint', transformer: epochMs })
  createdAt: number;
}
