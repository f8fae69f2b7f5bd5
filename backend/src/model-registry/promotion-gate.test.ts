import { ProblemException } from '../common/problem';
import type { ModelVersionEntity } from './model-version.entity';
import { PromotionGate, type PromotionChecker } from './promotion-gate';

const candidate = { id: 'v2', name: 'm', version: 2 } as ModelVersionEntity;

describe('PromotionGate', () => {
  it('refuses force without a reason (400 naming reason) before any evidence is read', async () => {
    const gate = new PromotionGate();
    const checked: unknown[] = [];
    gate.use({
      check: async (...args) => (checked.push(args), { verdict: 'worse', missing: [], forced: true }),
    });
    for (const reason of [undefined, null, '', '  \n ']) {
      const refusal = await gate.check(candidate, { force: true, reason }).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ProblemException);
      expect((refusal as ProblemException).getStatus()).toBe(400);
      expect((refusal as ProblemException).errors?.map((e) => e.field)).toEqual(['reason']);
    }
    expect(checked).toHaveLength(0);
  });

  it('asks the checker it was given, and answers null without one', async () => {
    const gate = new PromotionGate();
    expect(await gate.check(candidate, {})).toBeNull();
    const checker: PromotionChecker = {
      check: async (c, request) => ({
        verdict: 'better',
        missing: [],
        forced: !!request.force && c.id === 'v2',
      }),
    };
    gate.use(checker);
    expect(await gate.check(candidate, { force: true, reason: 'why' })).toEqual({
      verdict: 'better',
      missing: [],
      forced: true,
    });
  });
});
