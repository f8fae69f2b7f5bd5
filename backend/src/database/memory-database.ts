import { DataSource } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

/** An in-memory SQLite database with the app's entities and every migration run: for unit tests of repositories. */
export async function migratedMemoryDatabase(): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    logging: false,
  });
  return dataSource.initialize();
}
