import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * One lock per content hash, held while a registration commits the object and its row and while a
 * delete removes them, so the two never interleave (a delete racing an identical re-upload could
 * otherwise remove the object the new row points at). In-process for everyone; on PostgreSQL also a
 * transaction-scoped advisory lock, so API instances on other machines wait too. SQLite (the embedded
 * profile) is one process, where the in-process lock is the whole story.
 */
@Injectable()
export class DatasetLocks {
  private readonly held = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async withSha256<T>(sha256: string, fn: () => Promise<T>): Promise<T> {
    return this.inProcess(sha256, () =>
      this.db.options.type === 'postgres'
        ? this.db.transaction(async (manager) => {
            await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
              `dataset:${sha256}`,
            ]);
            return fn();
          })
        : fn(),
    );
  }

  /** Runs `fn` after every earlier holder of `key` in this process finished. */
  private async inProcess<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const before = this.held.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = before.then(() => mine);
    this.held.set(key, tail);
    await before;
    try {
      return await fn();
    } finally {
      release();
      if (this.held.get(key) === tail) this.held.delete(key);
    }
  }
}
