import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * model_versions.manifestSha256: the checksum of the stored manifest.json, recorded at registration
 * and checked by the loader with onnxSha256 (issue 11: a row must never serve another upload's files).
 * Null for rows registered before; their loader check is the ONNX checksum and the manifest's name.
 */
export class ModelVersionChecksums1764690000000 implements MigrationInterface {
  name = 'ModelVersionChecksums1764690000000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumn(
      'model_versions',
      new TableColumn({ name: 'manifestSha256', type: 'varchar', length: '64', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('model_versions', 'manifestSha256');
  }
}
