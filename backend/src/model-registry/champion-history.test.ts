import { rollbackTarget, type ChampionArrival } from './champion-history';

const set = (id: string): ChampionArrival => ({ toVersionId: id, rollback: false });
const back = (id: string): ChampionArrival => ({ toVersionId: id, rollback: true });

describe('rollbackTarget', () => {
  it('walks back one arrival per rollback: v1→v2→v3 gives v2, then v1, then nothing', () => {
    const history = [set('v1'), set('v2'), set('v3')];
    expect(rollbackTarget(history, 'v3')).toBe('v2');
    history.push(back('v2'));
    expect(rollbackTarget(history, 'v2')).toBe('v1');
    history.push(back('v1'));
    expect(rollbackTarget(history, 'v1')).toBeUndefined();
  });

  it('a promotion after rollbacks starts a new step to walk back from', () => {
    const history = [set('v1'), set('v2'), set('v3'), back('v2'), set('v4')];
    expect(rollbackTarget(history, 'v4')).toBe('v2');
    history.push(back('v2'));
    expect(rollbackTarget(history, 'v2')).toBe('v1');
  });

  it('skips the current holder promoted twice in a row and versions that no longer exist', () => {
    expect(rollbackTarget([set('v1'), set('v2'), set('v2')], 'v2')).toBe('v1');
    expect(rollbackTarget([set('v1'), set('v2'), set('v3')], 'v3', (id) => id !== 'v2')).toBe('v1');
  });

  it('has nothing to restore for the only champion ever, or an empty history', () => {
    expect(rollbackTarget([set('v1')], 'v1')).toBeUndefined();
    expect(rollbackTarget([], 'v1')).toBeUndefined();
  });

  it('survives a history window that starts after the version a rollback restored', () => {
    expect(rollbackTarget([set('v5'), back('v2'), set('v6')], 'v6')).toBe('v2');
  });
});
