import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { readCsv } from '@housing/ml';
import { planShards } from './shard-boundaries';

const AMES_CSV = path.resolve(__dirname, '../../../../data/ames/AmesHousing.csv');

/** Every record of a CSV as the platform's reader sees it: its line and fields. */
async function records(bytes: Buffer, firstLineOffset = 0, maxLineBytes = 1 << 20): Promise<string[]> {
  const out: string[] = [];
  await readCsv(
    Readable.from([bytes]),
    {
      header: (columns) => out.push(`header ${JSON.stringify(columns)}`),
      row: (fields, line) => out.push(`${line + firstLineOffset} ${JSON.stringify(fields)}`),
      rejected: (line, reason) => out.push(`${line + firstLineOffset} rejected ${reason}`),
    },
    { maxLineBytes },
  );
  return out;
}

/** Feeds `bytes` in chunks of `chunk` bytes (boundaries land anywhere, also inside quotes). */
const chunked = (bytes: Buffer, chunk: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(bytes.length / chunk) }, (_, i) =>
      bytes.subarray(i * chunk, (i + 1) * chunk),
    ),
  );

/** Reads each shard as a worker does (the header prepended after the first) and joins the records. */
async function shardedRecords(
  bytes: Buffer,
  target: number,
  chunk: number,
  maxLineBytes = 1 << 20,
): Promise<string[]> {
  const plan = await planShards(chunked(bytes, chunk), target);
  expect(plan.bytes).toBe(bytes.length);
  const out: string[] = [];
  plan.shards.forEach((s, i) => {
    expect(s.start).toBe(i === 0 ? 0 : plan.shards[i - 1]!.end);
  });
  expect(plan.shards[plan.shards.length - 1]!.end).toBe(bytes.length);
  for (const [i, shard] of plan.shards.entries()) {
    const body = bytes.subarray(shard.start, shard.end);
    const input = i === 0 ? body : Buffer.concat([bytes.subarray(0, plan.headerEnd), body]);
    // The reader numbers the shard's first data record headerLines + 1; it starts on shard.firstLine.
    const got = await records(input, shard.firstLine - (plan.headerLines + 1), maxLineBytes);
    out.push(...(i === 0 ? got : got.slice(1)));
  }
  return out;
}

describe('planShards', () => {
  it('splits the Ames CSV into ranges whose records are exactly the whole file read at once', async () => {
    const bytes = readFileSync(AMES_CSV);
    const whole = await records(bytes);
    for (const [target, chunk] of [
      [64 * 1024, 1 << 16],
      [100_000, 777],
      [1 << 30, 1 << 20],
    ] as const) {
      const plan = await planShards(chunked(bytes, chunk), target);
      if (target < bytes.length) expect(plan.shards.length).toBeGreaterThan(3);
      else expect(plan.shards).toEqual([{ start: 0, end: bytes.length, firstLine: 2 }]);
      expect(await shardedRecords(bytes, target, chunk)).toEqual(whole);
    }
  });

  it('never cuts inside a quoted field, whatever the chunking', async () => {
    const rows = ['id,"note\nwith break",price'];
    for (let i = 0; i < 400; i++) {
      const kind = i % 5;
      if (kind === 0) rows.push(`${i},"multi\nline\n""quoted""\n",${i * 10}`);
      else if (kind === 1) rows.push(`${i},stray"quote,${i}`);
      else if (kind === 2) rows.push(`${i},"a,b",${i}\r`);
      else if (kind === 3) rows.push('');
      else rows.push(`${i},"""",${i}`);
    }
    const bytes = Buffer.from('\ufeff' + rows.join('\n') + '\n');
    const whole = await records(bytes);
    for (const chunk of [1, 2, 3, 7, 64, 1 << 20])
      expect(await shardedRecords(bytes, 300, chunk)).toEqual(whole);
  });

  it('reads records over the line limit, and a quote never closed, the same sharded as whole', async () => {
    const limit = 120;
    const rows = ['id,note,price'];
    for (let i = 0; i < 60; i++) {
      if (i % 10 === 3)
        rows.push(`${i},"${'long quoted, with a\nbreak '.repeat(12)}",${i}`); // over the limit
      else if (i % 10 === 7)
        rows.push(`${i},${'x'.repeat(limit + 10)},${i}`); // over the limit, unquoted
      else rows.push(`${i},plain,${i}`);
    }
    // A quote that opens a field and never closes: the rest of the file is one record.
    const unbalanced = [...rows.slice(0, 45), '45,"never closed,45', ...rows.slice(46)];
    for (const text of [rows, unbalanced].map((r) => r.join('\n') + '\n')) {
      const bytes = Buffer.from(text);
      const whole = await records(bytes, 0, limit);
      expect(whole.some((r) => r.includes('rejected'))).toBe(true);
      for (const chunk of [1, 5, 64, 1 << 20])
        expect(await shardedRecords(bytes, 200, chunk, limit)).toEqual(whole);
    }
  });

  it('keeps a file smaller than the target, a header-only file and a file without a final line break whole', async () => {
    for (const text of ['a,b\n1,2\n3,4\n', 'a,b\n', 'a,b', 'a,b\n1,2']) {
      const plan = await planShards(Readable.from([Buffer.from(text)]), 1000);
      expect(plan.shards).toHaveLength(1);
      expect(plan.shards[0]).toMatchObject({ start: 0, end: text.length });
    }
    const bytes = Buffer.from('a,b\n' + Array.from({ length: 50 }, (_, i) => `${i},${i}`).join('\n'));
    expect(await shardedRecords(bytes, 40, 5)).toEqual(await records(bytes));
  });

  it('gives the same shards for the same bytes (a job split again reuses its finished shards)', async () => {
    const bytes = readFileSync(AMES_CSV);
    const a = await planShards(chunked(bytes, 4096), 50_000);
    const b = await planShards(chunked(bytes, 65536), 50_000);
    expect(b).toEqual(a);
  });
});
