import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer, text } from 'node:stream/consumers';
import {
  ArtifactNotFoundError,
  ArtifactTooLargeError,
  InvalidArtifactKeyError,
  type ArtifactStore,
  type ByteRange,
} from '../../src/storage/artifact-store';

/** A store under test and how to dispose of it. */
export interface StoreUnderTest {
  store: ArtifactStore;
  cleanup?: () => Promise<void> | void;
}

/** `chunks` buffers, each after `delayMs`. */
export function slowStream(chunks: Buffer[], delayMs = 5): Readable {
  return Readable.from(
    (async function* () {
      for (const chunk of chunks) {
        await new Promise((r) => setTimeout(r, delayMs));
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

/** Emits `bytes` bytes, then fails with `message`. */
export function failingStream(bytes: number, message = 'source stream failed'): Readable {
  return Readable.from(
    (async function* () {
      yield Buffer.alloc(bytes, 7);
      await new Promise((r) => setTimeout(r, 5));
      throw new Error(message);
    })(),
    { objectMode: false },
  );
}

export const BAD_KEYS = [
  '',
  '/abs/key',
  '../escape',
  'a/../../escape',
  'a/..',
  '..',
  './a',
  'a/./b',
  'a//b',
  'a/',
  'a\\b',
  'C:/x',
  'a\u0000b',
];

/**
 * The behaviour every ArtifactStore has, as a Jest suite. `make` gives a fresh, empty store per test.
 * Run against LocalArtifactStore (unit and e2e) and S3ArtifactStore on a real moto server (e2e).
 */
export function describeArtifactStore(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${name}: ArtifactStore behaviour`, () => {
    let under: StoreUnderTest;
    let store: ArtifactStore;

    beforeEach(async () => {
      under = await make();
      store = under.store;
    });

    afterEach(async () => {
      await under?.cleanup?.();
    });

    it('round-trips Buffer, Uint8Array and string bodies, and overwrites', async () => {
      const binary = randomBytes(4096);
      await store.put('a/binary.bin', binary);
      await store.put('a/bytes.bin', new Uint8Array([1, 2, 3]));
      await store.put('a/text.txt', 'héllo wörld');
      expect((await store.get('a/binary.bin')).equals(binary)).toBe(true);
      expect([...(await store.get('a/bytes.bin'))]).toEqual([1, 2, 3]);
      expect((await store.get('a/text.txt')).toString('utf8')).toBe('héllo wörld');
      await store.put('a/text.txt', 'second');
      expect((await store.get('a/text.txt')).toString()).toBe('second');
    });

    it('reports existence and sizes, including empty objects', async () => {
      expect(await store.exists('m/x.json')).toBe(false);
      expect(await store.size('m/x.json')).toBeUndefined();
      await store.put('m/x.json', 'héllo');
      await store.put('m/empty', Buffer.alloc(0));
      expect(await store.exists('m/x.json')).toBe(true);
      expect(await store.size('m/x.json')).toBe(Buffer.byteLength('héllo'));
      expect(await store.exists('m/empty')).toBe(true);
      expect(await store.size('m/empty')).toBe(0);
      // A "directory" is not an object.
      expect(await store.exists('m')).toBe(false);
      expect(await store.size('m')).toBeUndefined();
    });

    it('streams in and out, returning the bytes written', async () => {
      const chunks = Array.from({ length: 40 }, (_, i) => randomBytes(64 * 1024 + i));
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const written = await store.putStream('batch/in.csv', slowStream(chunks, 0));
      expect(written).toBe(total);
      expect(await store.size('batch/in.csv')).toBe(total);
      const back: Buffer[] = [];
      for await (const chunk of await store.getStream('batch/in.csv')) back.push(chunk as Buffer);
      expect(Buffer.concat(back).equals(Buffer.concat(chunks))).toBe(true);
      expect(await store.putStream('batch/empty.csv', Readable.from([]))).toBe(0);
      expect(await store.size('batch/empty.csv')).toBe(0);
    });

    it('raises ArtifactNotFoundError for missing keys', async () => {
      await expect(store.get('nope/missing.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.getStream('nope/missing.bin')).rejects.toBeInstanceOf(ArtifactNotFoundError);
      await expect(store.get('nope/missing.bin')).rejects.toMatchObject({ key: 'nope/missing.bin' });
    });

    it('deletes objects; deleting a missing key is a no-op', async () => {
      await store.put('d/one', '1');
      await store.put('d/two', '2');
      await store.delete('d/one');
      expect(await store.exists('d/one')).toBe(false);
      expect(await store.list('d/')).toEqual(['d/two']);
      await expect(store.delete('d/one')).resolves.toBeUndefined();
      await expect(store.delete('never/was')).resolves.toBeUndefined();
    });

    it('lists keys under a prefix, sorted, with string-prefix semantics', async () => {
      expect(await store.list('')).toEqual([]);
      for (const key of [
        'models/b/2/model.onnx',
        'models/a/1/manifest.json',
        'models/a/1/model.onnx',
        'models2/x',
        'batch/j1/input.csv',
        'top',
      ]) {
        await store.put(key, key);
      }
      expect(await store.list('models/')).toEqual([
        'models/a/1/manifest.json',
        'models/a/1/model.onnx',
        'models/b/2/model.onnx',
      ]);
      expect(await store.list('models/a/')).toEqual(['models/a/1/manifest.json', 'models/a/1/model.onnx']);
      expect(await store.list('models')).toEqual([
        'models/a/1/manifest.json',
        'models/a/1/model.onnx',
        'models/b/2/model.onnx',
        'models2/x',
      ]);
      expect(await store.list('models/a/1/model')).toEqual(['models/a/1/model.onnx']);
      expect(await store.list('')).toEqual([
        'batch/j1/input.csv',
        'models/a/1/manifest.json',
        'models/a/1/model.onnx',
        'models/b/2/model.onnx',
        'models2/x',
        'top',
      ]);
      expect(await store.list('nothing/here/')).toEqual([]);
    });

    it('rejects keys that are absolute, empty or escape the store, in every operation', async () => {
      for (const key of BAD_KEYS) {
        await expect(store.put(key, 'x')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.putStream(key, Readable.from([Buffer.from('x')]))).rejects.toBeInstanceOf(
          InvalidArtifactKeyError,
        );
        await expect(store.get(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.getStream(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.exists(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.size(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        await expect(store.delete(key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        expect(() => store.uri(key)).toThrow(InvalidArtifactKeyError);
      }
      await expect(store.list('../')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
      await expect(store.list('/abs')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
      expect(await store.list('')).toEqual([]);
    });

    it('maps keys to URIs and back; foreign URIs have no key', async () => {
      const uri = store.uri('models/housets/1/model.onnx');
      expect(store.keyOf(uri)).toBe('models/housets/1/model.onnx');
      expect(store.keyOf(store.uri('with space/ünïcode.bin'))).toBe('with space/ünïcode.bin');
      expect(store.keyOf('https://example.com/models/x')).toBeUndefined();
      expect(store.keyOf('file:///etc/passwd')).toBeUndefined();
      expect(store.keyOf('s3://some-other-bucket/models/x')).toBeUndefined();
      expect(store.keyOf('not a uri')).toBeUndefined();
    });

    it('accepts a stream of exactly maxBytes', async () => {
      const body = randomBytes(1000);
      expect(
        await store.putStream('limit/exact', slowStream([body.subarray(0, 600), body.subarray(600)], 0), {
          maxBytes: 1000,
        }),
      ).toBe(1000);
      expect((await store.get('limit/exact')).equals(body)).toBe(true);
    });

    it('rejects a stream over maxBytes with ArtifactTooLargeError and stores nothing', async () => {
      const attempt = store.putStream('limit/over', slowStream([randomBytes(600), randomBytes(600)], 0), {
        maxBytes: 1000,
      });
      await expect(attempt).rejects.toBeInstanceOf(ArtifactTooLargeError);
      await expect(
        store.putStream('limit/over', slowStream([randomBytes(1001)], 0), { maxBytes: 1000 }),
      ).rejects.toMatchObject({ maxBytes: 1000 });
      expect(await store.exists('limit/over')).toBe(false);
      expect(await store.list('limit/')).toEqual([]);
    });

    it('keeps the previous object when an overwrite fails (too large or failing source)', async () => {
      await store.put('keep/it', 'original');
      await expect(
        store.putStream('keep/it', slowStream([randomBytes(2000)], 0), { maxBytes: 100 }),
      ).rejects.toBeInstanceOf(ArtifactTooLargeError);
      await expect(store.putStream('keep/it', failingStream(5000, 'boom'))).rejects.toThrow('boom');
      expect((await store.get('keep/it')).toString()).toBe('original');
      expect(await store.list('keep/')).toEqual(['keep/it']);
    });

    it('shows no partial object while a stream is being written, nor after the source fails', async () => {
      const chunks = Array.from({ length: 10 }, () => randomBytes(1024));
      const writing = store.putStream('atomic/out.csv', slowStream(chunks, 20));
      await new Promise((r) => setTimeout(r, 60));
      expect(await store.exists('atomic/out.csv')).toBe(false);
      expect(await store.list('atomic/')).toEqual([]);
      await writing;
      expect((await store.get('atomic/out.csv')).equals(Buffer.concat(chunks))).toBe(true);

      await expect(store.putStream('atomic/failed.csv', failingStream(10_000))).rejects.toThrow(
        'source stream failed',
      );
      expect(await store.exists('atomic/failed.csv')).toBe(false);
      expect(await store.list('atomic/')).toEqual(['atomic/out.csv']);
    });

    it('keeps objects under distinct keys independent', async () => {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          store.put(`many/${String(i).padStart(2, '0')}.txt`, `value ${i}`),
        ),
      );
      const keys = await store.list('many/');
      expect(keys).toHaveLength(12);
      const values = await Promise.all(keys.map(async (k) => text(await store.getStream(k))));
      expect(values).toEqual(Array.from({ length: 12 }, (_, i) => `value ${i}`));
    });

    it('lists entries with their last write time, sorted, with list() semantics', async () => {
      const before = Date.now() - 5_000;
      await store.put('models/a/u2/model.onnx', 'x');
      await store.put('models/a/u1/manifest.json', '{}');
      await store.put('other/x', 'y');
      const entries = await store.listEntries('models/');
      expect(entries.map((e) => e.key)).toEqual(['models/a/u1/manifest.json', 'models/a/u2/model.onnx']);
      for (const e of entries) {
        expect(e.modifiedAt).toBeGreaterThan(before);
        expect(e.modifiedAt).toBeLessThan(Date.now() + 5_000);
      }
      expect((await store.listEntries('')).map((e) => e.key)).toEqual(await store.list(''));
      await expect(store.listEntries('../')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    });

    it('deletes everything under a prefix and nothing beside it', async () => {
      for (const key of [
        'models/a/u1/model.onnx',
        'models/a/u1/manifest.json',
        'models/a/u10/model.onnx',
        'models/b/u1/x',
      ])
        await store.put(key, key);
      expect(await store.deletePrefix('models/a/u1/')).toBe(2);
      expect(await store.list('models/')).toEqual(['models/a/u10/model.onnx', 'models/b/u1/x']);
      expect(await store.deletePrefix('models/a/u1/')).toBe(0);
      expect(await store.deletePrefix('nothing/here/')).toBe(0);
      await expect(store.deletePrefix('../')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
    });

    it('deletes by string prefix: without a trailing slash, sibling keys that share it go too', async () => {
      for (const key of [
        'jobs/j1/in.csv',
        'jobs/j1/attempts/a1/result.csv',
        'jobs/j10/in.csv',
        'jobs/j2/in.csv',
      ])
        await store.put(key, key);
      expect(await store.deletePrefix('jobs/j1/attempts/')).toBe(1);
      expect(await store.list('jobs/')).toEqual(['jobs/j1/in.csv', 'jobs/j10/in.csv', 'jobs/j2/in.csv']);
      expect(await store.deletePrefix('jobs/j1')).toBe(2);
      expect(await store.list('jobs/')).toEqual(['jobs/j2/in.csv']);
      // The folder can be written again afterwards.
      await store.put('jobs/j1/attempts/a2/result.csv', 'again');
      expect(await store.list('jobs/j1/')).toEqual(['jobs/j1/attempts/a2/result.csv']);
    });

    describe('ranged reads', () => {
      const body = randomBytes(1000);
      const read = async (range: ByteRange, key = 'r/object.bin') =>
        buffer(await store.getStream(key, range));

      beforeEach(async () => {
        await store.put('r/object.bin', body);
      });

      it('reads [start, end) byte ranges, end exclusive', async () => {
        expect((await read({ start: 0 })).equals(body)).toBe(true);
        expect((await read({ start: 0, end: 1000 })).equals(body)).toBe(true);
        expect((await read({ start: 10, end: 20 })).equals(body.subarray(10, 20))).toBe(true);
        expect((await read({ start: 0, end: 1 })).equals(body.subarray(0, 1))).toBe(true);
        expect((await read({ start: 999 })).equals(body.subarray(999))).toBe(true);
        expect((await read({ start: 999, end: 1000 })).equals(body.subarray(999))).toBe(true);
        expect((await read({ start: 400 })).equals(body.subarray(400))).toBe(true);
      });

      it('gives adjacent ranges that add up to the whole object', async () => {
        const cuts = [0, 1, 333, 334, 700, 1000];
        const pieces = await Promise.all(cuts.slice(1).map((end, i) => read({ start: cuts[i]!, end })));
        expect(pieces.map((p) => p.length)).toEqual([1, 332, 1, 366, 300]);
        expect(Buffer.concat(pieces).equals(body)).toBe(true);
      });

      it('reads nothing for empty ranges and ranges at or past the end, and clips an end past it', async () => {
        expect(await read({ start: 0, end: 0 })).toHaveLength(0);
        expect(await read({ start: 500, end: 500 })).toHaveLength(0);
        expect(await read({ start: 1000 })).toHaveLength(0);
        expect(await read({ start: 1000, end: 1000 })).toHaveLength(0);
        expect(await read({ start: 1000, end: 2000 })).toHaveLength(0);
        expect(await read({ start: 5000 })).toHaveLength(0);
        expect((await read({ start: 900, end: 5000 })).equals(body.subarray(900))).toBe(true);
        await store.put('r/empty.bin', Buffer.alloc(0));
        expect(await read({ start: 0 }, 'r/empty.bin')).toHaveLength(0);
        expect(await read({ start: 0, end: 0 }, 'r/empty.bin')).toHaveLength(0);
        expect(await read({ start: 0, end: 10 }, 'r/empty.bin')).toHaveLength(0);
      });

      it('raises ArtifactNotFoundError for a missing key whatever the range', async () => {
        for (const range of [{ start: 0 }, { start: 0, end: 0 }, { start: 3, end: 9 }, { start: 5000 }])
          await expect(store.getStream('r/missing.bin', range)).rejects.toMatchObject({
            constructor: ArtifactNotFoundError,
            key: 'r/missing.bin',
          });
      });

      it('refuses ranges that are not byte ranges, and invalid keys', async () => {
        for (const range of [
          { start: -1 },
          { start: 1.5 },
          { start: Number.NaN },
          { start: 0, end: -1 },
          { start: 5, end: 4 },
          { start: 0, end: 2.5 },
          { start: Number.POSITIVE_INFINITY },
        ])
          await expect(store.getStream('r/object.bin', range)).rejects.toBeInstanceOf(RangeError);
        for (const key of BAD_KEYS)
          await expect(store.getStream(key, { start: 0, end: 1 })).rejects.toBeInstanceOf(
            InvalidArtifactKeyError,
          );
      });
    });

    describe('move', () => {
      it('moves an object to a new key (in a new folder), and the source is gone', async () => {
        const body = randomBytes(200_000);
        await store.putStream('m/attempts/a1/result.csv', slowStream([body], 0));
        await store.move('m/attempts/a1/result.csv', 'm/final/deeper/result.csv');
        expect((await store.get('m/final/deeper/result.csv')).equals(body)).toBe(true);
        expect(await store.exists('m/attempts/a1/result.csv')).toBe(false);
        expect(await store.list('m/')).toEqual(['m/final/deeper/result.csv']);
      });

      it('replaces an existing target, empty objects included; a move onto itself keeps the object', async () => {
        await store.put('m/target', 'old contents');
        await store.put('m/source', 'new');
        await store.move('m/source', 'm/target');
        expect((await store.get('m/target')).toString()).toBe('new');
        await store.put('m/empty', Buffer.alloc(0));
        await store.move('m/empty', 'm/target');
        expect(await store.size('m/target')).toBe(0);
        expect(await store.list('m/')).toEqual(['m/target']);
        await store.put('m/self', 'same');
        await store.move('m/self', 'm/self');
        expect((await store.get('m/self')).toString()).toBe('same');
      });

      it('raises ArtifactNotFoundError for a missing source and leaves the target alone', async () => {
        await store.put('m/target', 'kept');
        await expect(store.move('m/missing', 'm/target')).rejects.toMatchObject({
          constructor: ArtifactNotFoundError,
          key: 'm/missing',
        });
        await expect(store.move('m/missing', 'm/new/target')).rejects.toBeInstanceOf(ArtifactNotFoundError);
        expect((await store.get('m/target')).toString()).toBe('kept');
        expect(await store.list('m/')).toEqual(['m/target']);
        // A "directory" is not an object.
        await store.put('m/dir/inner', 'x');
        await expect(store.move('m/dir', 'm/moved')).rejects.toBeInstanceOf(ArtifactNotFoundError);
        expect(await store.list('m/')).toEqual(['m/dir/inner', 'm/target']);
      });

      it('refuses invalid keys on either side and moves nothing', async () => {
        await store.put('m/source', 'x');
        for (const key of BAD_KEYS) {
          await expect(store.move(key, 'm/target')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
          await expect(store.move('m/source', key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        }
        expect(await store.list('')).toEqual(['m/source']);
      });

      it('leaves one whole object when moves race to the same target', async () => {
        const bodies = Array.from({ length: 4 }, () => randomBytes(256 * 1024));
        for (let round = 0; round < 3; round++) {
          await Promise.all(bodies.map((b, i) => store.put(`race/${round}/source-${i}`, b)));
          const results = await Promise.allSettled(
            bodies.map((_, i) => store.move(`race/${round}/source-${i}`, `race/${round}/target`)),
          );
          expect(results.map((r) => r.status)).toEqual(bodies.map(() => 'fulfilled'));
          const target = await store.get(`race/${round}/target`);
          expect(bodies.filter((b) => b.equals(target))).toHaveLength(1);
          expect(await store.list(`race/${round}/`)).toEqual([`race/${round}/target`]);
        }
      });

      it('lets exactly one of two racing moves of one source win; the other finds it gone', async () => {
        const body = randomBytes(64 * 1024);
        await store.put('once/source', body);
        const results = await Promise.allSettled([
          store.move('once/source', 'once/a'),
          store.move('once/source', 'once/b'),
        ]);
        const moved = (await store.list('once/')).filter((k) => k !== 'once/source');
        expect(await store.exists('once/source')).toBe(false);
        for (const key of moved) expect((await store.get(key)).equals(body)).toBe(true);
        // A store may finish both (a copy then a delete) or refuse the loser; never lose the object.
        expect(moved.length).toBeGreaterThanOrEqual(1);
        for (const r of results)
          if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ArtifactNotFoundError);
      });
    });

    describe('concat', () => {
      it('writes the parts in order as one object, returns its size and keeps the parts', async () => {
        const parts = [randomBytes(70_000), Buffer.from('middle,'), randomBytes(1), randomBytes(130_000)];
        await Promise.all(parts.map((p, i) => store.put(`c/parts/${i}`, p)));
        const keys = parts.map((_, i) => `c/parts/${i}`);
        expect(await store.concat(keys, 'c/out/all.bin')).toBe(Buffer.concat(parts).length);
        expect((await store.get('c/out/all.bin')).equals(Buffer.concat(parts))).toBe(true);
        expect(await store.concat([...keys].reverse(), 'c/out/reversed.bin')).toBe(
          Buffer.concat(parts).length,
        );
        expect((await store.get('c/out/reversed.bin')).equals(Buffer.concat([...parts].reverse()))).toBe(
          true,
        );
        expect(await store.list('c/parts/')).toEqual(keys);
      });

      it('handles empty parts, one part, a repeated part, no parts, and an existing target', async () => {
        await store.put('c/a', 'alpha;');
        await store.put('c/empty', Buffer.alloc(0));
        await store.put('c/target', 'previous contents');
        expect(await store.concat(['c/empty', 'c/a', 'c/empty', 'c/a'], 'c/target')).toBe(12);
        expect((await store.get('c/target')).toString()).toBe('alpha;alpha;');
        expect(await store.concat(['c/a'], 'c/one')).toBe(6);
        expect((await store.get('c/one')).toString()).toBe('alpha;');
        expect(await store.concat(['c/empty'], 'c/none')).toBe(0);
        expect(await store.size('c/none')).toBe(0);
        expect(await store.concat([], 'c/nothing')).toBe(0);
        expect(await store.size('c/nothing')).toBe(0);
        // The target may be a part (an append).
        expect(await store.concat(['c/target', 'c/a'], 'c/target')).toBe(18);
        expect((await store.get('c/target')).toString()).toBe('alpha;alpha;alpha;');
      });

      it('raises ArtifactNotFoundError naming a missing part and writes nothing', async () => {
        await store.put('c/a', randomBytes(100_000));
        await store.put('c/target', 'kept');
        await expect(store.concat(['c/a', 'c/missing', 'c/a'], 'c/target')).rejects.toMatchObject({
          constructor: ArtifactNotFoundError,
          key: 'c/missing',
        });
        await expect(store.concat(['c/missing'], 'c/new')).rejects.toBeInstanceOf(ArtifactNotFoundError);
        expect((await store.get('c/target')).toString()).toBe('kept');
        expect(await store.list('c/')).toEqual(['c/a', 'c/target']);
      });

      it('refuses invalid keys among the parts or as the target', async () => {
        await store.put('c/a', 'x');
        for (const key of BAD_KEYS) {
          await expect(store.concat(['c/a', key], 'c/out')).rejects.toBeInstanceOf(InvalidArtifactKeyError);
          await expect(store.concat(['c/a'], key)).rejects.toBeInstanceOf(InvalidArtifactKeyError);
        }
        expect(await store.list('')).toEqual(['c/a']);
      });

      it('leaves one whole object when concats race to the same target', async () => {
        const sets = Array.from({ length: 3 }, () => [randomBytes(96 * 1024), randomBytes(160 * 1024)]);
        await Promise.all(sets.flatMap((parts, s) => parts.map((p, i) => store.put(`cr/${s}/${i}`, p))));
        for (let round = 0; round < 3; round++) {
          await Promise.all(
            sets.map((parts, s) =>
              store.concat(
                parts.map((_, i) => `cr/${s}/${i}`),
                `cr/out/${round}`,
              ),
            ),
          );
          const out = await store.get(`cr/out/${round}`);
          expect(sets.filter((parts) => Buffer.concat(parts).equals(out))).toHaveLength(1);
        }
        expect(await store.list('cr/out/')).toEqual(['cr/out/0', 'cr/out/1', 'cr/out/2']);
      });
    });

    it('sweeps only temporaries older than the cut-off, never complete objects', async () => {
      await store.put('kept/one', '1');
      await store.putStream('kept/two', slowStream([Buffer.from('2')], 0));
      // A failed stream leaves nothing to sweep either.
      await expect(store.putStream('failed/x', failingStream(1000))).rejects.toThrow();
      expect(await store.sweepTemporaries(Date.now() + 3_600_000)).toBe(0);
      expect(await store.list('')).toEqual(['kept/one', 'kept/two']);
    });
  });
}
