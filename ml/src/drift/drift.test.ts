import * as path from 'node:path';
import { prepareDataset, type PreparedDataset } from '../dataset/prepare';
import { recordReader, compactRecord } from '../dataset/records';
import { EVAL, TRAIN } from '../dataset/split';
import { buildSignature, type SignatureField } from '../features/signature';
import { writeHouseTsCsv } from '../generate';
import { loadSpec } from '../spec/load';
import { useTempDir } from '../test-support/tmp';
import { addCounts, countsFromFields, countsToFields, DriftCounter, emptyCounts } from './counts';
import { buildDriftProfile, numberBin, quantileEdges, type DriftProfile } from './profile';
import { driftReport, psi } from './psi';

describe('bins and PSI', () => {
  it('puts a value in the first bin whose upper edge is at or above it', () => {
    expect([0, 1, 1.5, 2, 3, 9].map((x) => numberBin([1, 2, 3], x))).toEqual([0, 0, 1, 1, 2, 3]);
    expect(numberBin([], 5)).toBe(0);
  });

  it('takes decile edges without duplicates (a discrete column gets fewer bins)', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i);
    expect(quantileEdges(values)).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900]);
    const discrete = Array.from({ length: 1000 }, (_, i) => i % 3);
    expect(quantileEdges([...discrete].sort())).toEqual([0, 1]);
    expect(quantileEdges([7, 7, 7])).toEqual([]);
  });

  it('is 0 for the training distribution and grows with the shift', () => {
    expect(psi([0.5, 0.5], [50, 50])).toBeCloseTo(0, 12);
    // (0.6 − 0.5) ln(0.6/0.5) + (0.4 − 0.5) ln(0.4/0.5)
    expect(psi([0.5, 0.5], [60, 40])).toBeCloseTo(0.1 * Math.log(1.2) - 0.1 * Math.log(0.8), 12);
    expect(psi([0.5, 0.5], [0, 0])).toBeNull();
    // an empty bin gives a large but finite value
    expect(psi([0.5, 0.5, 0], [0, 50, 50])).toBeGreaterThan(1);
  });
});

describe('drift on generated HouseTS data (known answers)', () => {
  const tmp = useTempDir('drift-test-');
  let data: PreparedDataset;
  let signature: SignatureField[];
  let profile: DriftProfile;
  /** Every other row the model was fit on (train ∪ eval), as an API client would send them. */
  let month: Record<string, unknown>[];

  beforeAll(async () => {
    const csv = path.join(tmp(), 'housets.csv');
    await writeHouseTsCsv(csv, { size: 'tiny', seed: 11, dirty: false });
    data = await prepareDataset(loadSpec('housets'), csv);
    signature = buildSignature(data);
    profile = buildDriftProfile(data, signature);
    const read = recordReader(data);
    month = [];
    for (let i = 0; i < data.rows; i += 2)
      if (data.split[i] === TRAIN || data.split[i] === EVAL) month.push(compactRecord(read(i)));
  });

  const scored = (records: Record<string, unknown>[]) => {
    const counter = new DriftCounter(profile, signature);
    for (const r of records) counter.add(r, 300_000);
    return driftReport(profile, counter.take());
  };

  it('profiles every number and category field the model reads, with shares that sum to 1', () => {
    const fields = signature.filter((f) => f.type !== 'date' && !f.partOf).map((f) => f.name);
    expect(profile.features.map((f) => f.field)).toEqual(fields);
    for (const f of profile.features) expect(f.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(profile.price.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
  });

  it('shows no drift (PSI < 0.1 everywhere) for a sample of the rows the model was fit on', () => {
    const report = scored(month);
    expect(report.rows).toBe(month.length);
    for (const f of report.features) expect([f.feature, f.psi! < 0.1]).toEqual([f.feature, true]);
  });

  it('shows PSI > 0.25 on the one feature that shifted and < 0.1 on the others', () => {
    const shifted = month.map((r) => ({ ...r, median_list_price: Number(r.median_list_price) * 1.6 }));
    const report = scored(shifted);
    for (const f of report.features) {
      if (f.feature === 'median_list_price') expect(f.psi!).toBeGreaterThan(0.25);
      else expect([f.feature, f.psi! < 0.1]).toEqual([f.feature, true]);
    }
    // values past the training maximum count as out of range
    expect(report.features.find((f) => f.feature === 'median_list_price')!.outOfRangeShare!).toBeGreaterThan(
      0,
    );
  });

  it('counts unseen categories and missing values', () => {
    const records = month
      .slice(0, 100)
      .map((r, i) => (i < 30 ? { ...r, zipcode: `99${i}00` } : i < 40 ? { ...r, zipcode: 'NA' } : r));
    const report = scored(records);
    const zip = report.features.find((f) => f.feature === 'zipcode')!;
    expect(zip.unseenShare).toBeCloseTo(0.3, 9);
    expect(zip.missingShare).toBeCloseTo(0.1, 9);
  });

  it('round-trips counts through flat fields and adds them up (several processes, one window)', () => {
    const a = new DriftCounter(profile, signature);
    const b = new DriftCounter(profile, signature);
    month.slice(0, 50).forEach((r) => a.add(r, 250_000));
    month.slice(50, 120).forEach((r) => b.add(r, 500_000));
    const ca = a.take();
    const cb = b.take();
    expect(a.rows).toBe(0);
    const fields: Record<string, number> = {};
    for (const c of [ca, cb])
      for (const [k, v] of Object.entries(countsToFields(c))) fields[k] = (fields[k] ?? 0) + v;
    const merged = countsFromFields(profile, fields);
    expect(merged).toEqual(addCounts(addCounts(emptyCounts(profile), ca), cb));
    expect(merged.rows).toBe(120);
    // junk fields are ignored
    expect(countsFromFields(profile, { n: '3', x: 5, 'b999.0': 4, b0: 1 }).rows).toBe(3);
  });
});
