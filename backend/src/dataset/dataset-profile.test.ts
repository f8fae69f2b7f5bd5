import { DatasetProfiler, MAX_TRACKED } from './dataset-profile';

describe('DatasetProfiler', () => {
  it('counts missing values, numeric ranges and top categories per column', () => {
    const p = new DatasetProfiler();
    p.header(['price', 'city', 'note']);
    p.row(['100', 'Atlanta', '']);
    p.row(['250.5', 'Boston', ' ']);
    p.row(['', 'Atlanta', '']);
    p.row(['-3']); // short row: the missing fields count as missing
    expect(p.rows).toBe(4);
    expect(p.profile()).toEqual([
      { name: 'price', missing: 1, kind: 'numeric', min: -3, max: 250.5 },
      {
        name: 'city',
        missing: 1,
        kind: 'categorical',
        distinct: 2,
        top: [
          { value: 'Atlanta', count: 2 },
          { value: 'Boston', count: 1 },
        ],
      },
      { name: 'note', missing: 4, kind: 'empty' },
    ]);
  });

  it('a single non-number makes a column categorical', () => {
    const p = new DatasetProfiler();
    p.header(['zip']);
    for (const v of ['30002', '30003', '3000X', '3000X']) p.row([v]);
    // the frequency table holds the values that are not numbers
    expect(p.profile()[0]).toMatchObject({
      kind: 'categorical',
      distinct: 1,
      top: [{ value: '3000X', count: 2 }],
    });
  });

  it('bounds memory: past MAX_TRACKED distinct values the count is reported as unknown', () => {
    const p = new DatasetProfiler();
    p.header(['id']);
    for (let i = 0; i < MAX_TRACKED + 50; i++) p.row([`id-${i}`]);
    p.row(['id-1']);
    const [id] = p.profile();
    expect(id).toMatchObject({ kind: 'categorical', distinct: null, missing: 0 });
    expect(id!.top![0]).toEqual({ value: 'id-1', count: 2 });
    expect(id!.top).toHaveLength(10);
  });
});
