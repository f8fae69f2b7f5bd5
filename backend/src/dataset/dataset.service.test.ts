import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ProblemException } from '../common/problem';
import { LocalArtifactStore } from '../storage/local-artifact-store';
import type { AppConfig } from '../config/config';
import type { ArtifactStore } from '../storage/artifact-store';
import type { DatasetEntity } from './dataset.entity';
import { DatasetLocks } from './dataset-locks';
import type { DatasetRepository } from './dataset.repository';
import { DatasetService } from './dataset.service';

const row = {
  id: 'd1',
  sha256: 'a'.repeat(64),
  artifactKey: `datasets/sha256/${'a'.repeat(64)}.csv`,
} as DatasetEntity;

/** The delete's logic with fake persistence: what it does when a model version appears mid-delete. */
function service(modelsSeen: Array<Array<{ name: string; version: number }>>) {
  const calls: string[] = [];
  const repository = {
    findById: async () => row,
    modelVersionsTrainedOn: async () => modelsSeen.shift() ?? [],
    batchEvaluationsOn: async () => [],
    deleteById: async () => (calls.push('deleteRow'), true),
    insertUnlessDuplicate: async (r: DatasetEntity) => (calls.push(`restore ${r.id}`), true),
  } as unknown as DatasetRepository;
  const store = {
    delete: async (key: string) => void calls.push(`deleteObject ${key}`),
  } as unknown as ArtifactStore;
  const locks = { withSha256: <T>(_: string, fn: () => Promise<T>) => fn() } as DatasetLocks;
  return { svc: new DatasetService({} as AppConfig, store, repository, locks), calls };
}

describe('DatasetService.delete', () => {
  it('a model version registered between the check and the row’s removal: the row comes back, 409, object kept', async () => {
    const { svc, calls } = service([[], [{ name: 'm', version: 3 }]]);
    const error = await svc.delete('d1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemException);
    expect((error as ProblemException).getStatus()).toBe(409);
    expect(calls).toEqual(['deleteRow', 'restore d1']);
  });

  it('no model version before or after: the row, then the object', async () => {
    const { svc, calls } = service([[], []]);
    await svc.delete('d1');
    expect(calls).toEqual(['deleteRow', `deleteObject ${row.artifactKey}`]);
  });
});

describe('DatasetLocks (in-process part, as on SQLite)', () => {
  const locks = new DatasetLocks({ options: { type: 'better-sqlite3' } } as never);
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it('runs holders of one hash one after another, and of different hashes side by side', async () => {
    const log: string[] = [];
    const job = (sha: string, name: string) =>
      locks.withSha256(sha, async () => {
        log.push(`${name} start`);
        await tick();
        log.push(`${name} end`);
      });
    await Promise.all([job('x', 'a'), job('x', 'b'), job('y', 'c')]);
    expect(log.indexOf('a end')).toBeLessThan(log.indexOf('b start'));
    expect(log.indexOf('c start')).toBeLessThan(log.indexOf('a end'));
  });

  it('a failing holder releases the lock', async () => {
    await expect(locks.withSha256('z', async () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    await expect(locks.withSha256('z', async () => 'next')).resolves.toBe('next');
  });
});

/** A real local store whose deletes of content-addressed objects wait for `open()` (to hold a delete mid-way). */
class GatedStore extends LocalArtifactStore {
  private gate?: Promise<void>;
  open!: () => void;
  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  override async delete(key: string): Promise<void> {
    if (key.startsWith('datasets/sha256/')) await this.gate;
    return super.delete(key);
  }
}

/** Rows in memory with the unique sha256 index the database has. */
function memoryRepository(): DatasetRepository & { table: Map<string, DatasetEntity> } {
  const rows = new Map<string, DatasetEntity>();
  return {
    table: rows,
    findById: async (id: string) => rows.get(id) ?? null,
    findBySha256: async (sha: string) => [...rows.values()].find((r) => r.sha256 === sha) ?? null,
    modelVersionsTrainedOn: async () => [],
    batchEvaluationsOn: async () => [],
    deleteById: async (id: string) => rows.delete(id),
    insertUnlessDuplicate: async (r: DatasetEntity) => {
      if ([...rows.values()].some((x) => x.sha256 === r.sha256)) return false;
      rows.set(r.id, r);
      return true;
    },
  } as unknown as DatasetRepository & { table: Map<string, DatasetEntity> };
}

describe('a delete racing an identical re-upload (held between removing the row and the object)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'dataset-race-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the re-upload waits for the delete, then stores the object again with its row', async () => {
    const store = new GatedStore(path.join(dir, 'artifacts'));
    const repository = memoryRepository();
    const locks = new DatasetLocks({ options: { type: 'better-sqlite3' } } as never);
    const svc = new DatasetService({} as AppConfig, store, repository, locks);
    const sha = 'b'.repeat(64);
    const key = `datasets/sha256/${sha}.csv`;
    await store.put(key, 'a,b\n1,2\n');
    repository.table.set('old', { ...row, id: 'old', sha256: sha, artifactKey: key, specName: 'housets' });

    store.hold();
    const deleting = svc.delete('old');
    await new Promise((r) => setTimeout(r, 20)); // the row is gone, the object's delete waits
    expect(repository.table.size).toBe(0);
    await store.put('datasets/incoming/new.csv', 'a,b\n1,2\n');
    const fields = {
      specName: 'housets',
      fileName: 'x.csv',
      bytes: 8,
      rowCount: 1,
      columns: [],
      addedBy: null,
    };
    const committing = (
      svc as unknown as { commit: (...a: unknown[]) => Promise<{ created: boolean }> }
    ).commit('new', 'datasets/incoming/new.csv', sha, fields);
    await new Promise((r) => setTimeout(r, 20));
    expect(repository.table.size).toBe(0); // the re-upload has not committed under the delete
    store.open();
    await deleting;
    expect((await committing).created).toBe(true);
    expect([...repository.table.keys()]).toEqual(['new']);
    expect(await store.exists(key)).toBe(true); // the new row's file is there
    expect(await store.exists('datasets/incoming/new.csv')).toBe(false);
  });
});
