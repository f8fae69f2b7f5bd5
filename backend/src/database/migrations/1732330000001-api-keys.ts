import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** API keys (secrets stored only as SHA-256). Written with TypeORM's schema API so it runs on SQLite and Postgres. */
export class ApiKeys1732330000001 implements MigrationInterface {
  name = 'ApiKeys1732330000001';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'api_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'prefix', type: 'varchar', length: '12' },
          { name: 'hash', type: 'varchar', length: '64' },
          { name: 'scopes', type: 'text' },
          { name: 'rateLimitPerMinute', type: 'integer', isNullable: true },
          { name: 'createdAt', type: 'bigint' },
          { name: 'expiresAt', type: 'bigint', isNullable: true },
          { name: 'revokedAt', type: 'bigint', isNullable: true },
          { name: 'lastUsedAt', type: 'bigint', isNullable: true },
          { name: 'createdBy', type: 'varchar', length: '36', isNullable: true },
        ],
        indices: [new TableIndex({ name: 'IDX_api_keys_prefix', columnNames: ['prefix'], isUnique: true })],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('api_keys');
  }
}
