import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The request an Idempotency-Key was first used with (sha256 of the file or input URI and the model
 * version asked for): the same key with another request is refused instead of answered with the
 * first job. Null for jobs created before this migration (their keys match any request, as before).
 */
export class BatchIdempotencyFingerprint1732332000001 implements MigrationInterface {
  name = 'BatchIdempotencyFingerprint1732332000001';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'batch_jobs',
      new TableColumn({ name: 'requestFingerprint', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('batch_jobs', 'requestFingerprint');
  }
}
