import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/config';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** TypeORM options for either database; the schema comes from migrations, never from synchronize. */
export function dataSourceOptions(config: Pick<AppConfig, 'database'>): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    logging: false,
  } as const;
  if (config.database.type === 'sqlite') {
    if (config.database.path !== ':memory:')
      mkdirSync(path.dirname(path.resolve(config.database.path)), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.database.path,
      // WAL lets the API read while a worker process writes the same file.
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  return { ...common, type: 'postgres', url: config.database.url, extra: { max: 10 } };
}
