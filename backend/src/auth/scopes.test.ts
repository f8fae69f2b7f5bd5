import { extractApiKey } from './api-key.guard';
import { SCOPES, effectiveScopes, hasScopes, isScope } from './scopes';

describe('scopes', () => {
  it('requires every listed scope', () => {
    expect(hasScopes(['predict'], ['predict'])).toBe(true);
    expect(hasScopes(['predict'], ['batch'])).toBe(false);
    expect(hasScopes(['predict', 'batch'], ['predict', 'batch'])).toBe(true);
    expect(hasScopes(['predict'], ['predict', 'batch'])).toBe(false);
    expect(hasScopes(['models:read'], ['models:write'])).toBe(false);
  });

  it('lets admin do everything', () => {
    for (const scope of SCOPES) expect(hasScopes(['admin'], [scope])).toBe(true);
    expect(hasScopes(['admin'], ['predict', 'batch', 'models:read', 'models:write'])).toBe(true);
    expect(effectiveScopes(['admin'])).toEqual([...SCOPES]);
  });

  it('accepts any valid key when no scope is required', () => {
    expect(hasScopes([], [])).toBe(true);
    expect(hasScopes(['predict'], [])).toBe(true);
  });

  it('knows the scope names', () => {
    expect(SCOPES).toEqual(['predict', 'batch', 'models:read', 'models:write', 'train', 'admin']);
    expect(isScope('models:read')).toBe(true);
    expect(isScope('root')).toBe(false);
    expect(effectiveScopes(['batch', 'unknown', 'predict'])).toEqual(['predict', 'batch']);
  });
});

describe('extractApiKey', () => {
  it('reads X-API-Key, then Authorization: Bearer', () => {
    expect(extractApiKey({ 'x-api-key': 'hp_abc' })).toBe('hp_abc');
    expect(extractApiKey({ authorization: 'Bearer hp_abc' })).toBe('hp_abc');
    expect(extractApiKey({ authorization: 'bearer   hp_abc ' })).toBe('hp_abc');
    expect(extractApiKey({ 'x-api-key': 'hp_one', authorization: 'Bearer hp_two' })).toBe('hp_one');
  });

  it('finds no key in empty or other headers', () => {
    expect(extractApiKey({})).toBeUndefined();
    expect(extractApiKey({ 'x-api-key': '  ' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Basic dXNlcjpwYXNz' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Bearer' })).toBeUndefined();
    expect(extractApiKey({ authorization: 'Bearer a b' })).toBeUndefined();
  });
});
