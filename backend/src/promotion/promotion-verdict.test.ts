import { verdictOf } from './promotion-verdict';

const on = (candidate: number, champion: number) => ({
  candidate: { mape: candidate, rmse: 0, mae: 0, r2: 0, n: 10 },
  champion: { mape: champion, rmse: 0, mae: 0, r2: 0, n: 10 },
});

describe('verdictOf', () => {
  it('is worse only beyond the relative margin', () => {
    expect(verdictOf(on(10.3, 10), 0.02)).toEqual({
      verdict: 'worse',
      relativeMapeChange: expect.closeTo(0.03, 10),
    });
    expect(verdictOf(on(10.2, 10), 0.02).verdict).toBe('within-margin');
    expect(verdictOf(on(10.1, 10), 0.02)).toEqual({
      verdict: 'within-margin',
      relativeMapeChange: expect.closeTo(0.01, 10),
    });
    expect(verdictOf(on(10.3, 10), 0.05).verdict).toBe('within-margin');
  });

  it('is better when the candidate errs less, and the same MAPE is within the margin', () => {
    expect(verdictOf(on(8, 10), 0.02)).toEqual({
      verdict: 'better',
      relativeMapeChange: expect.closeTo(-0.2, 10),
    });
    expect(verdictOf(on(10, 10), 0)).toEqual({ verdict: 'within-margin', relativeMapeChange: 0 });
  });

  it('treats any error against a perfect champion as worse, without a ratio', () => {
    expect(verdictOf(on(0.5, 0), 0.02)).toEqual({ verdict: 'worse', relativeMapeChange: null });
    expect(verdictOf(on(0, 0), 0.02)).toEqual({ verdict: 'within-margin', relativeMapeChange: 0 });
  });
});
