/** What an API key may do. `admin` implies every other scope. */
/** `train`: submit, read and cancel training runs (POST /v1/training-runs …) and record CLI runs. */
export const SCOPES = ['predict', 'batch', 'models:read', 'models:write', 'train', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: unknown): value is Scope =>
  typeof value === 'string' && (SCOPES as readonly string[]).includes(value);

/** True when `granted` covers every scope in `required` (no scopes required: any valid key). */
export function hasScopes(granted: readonly string[], required: readonly Scope[]): boolean {
  if (required.length === 0 || granted.includes('admin')) return true;
  return required.every((scope) => granted.includes(scope));
}

/** The scopes a key effectively has: all of them for `admin`, else its own (known ones only). */
export function effectiveScopes(granted: readonly string[]): Scope[] {
  return granted.includes('admin') ? [...SCOPES] : SCOPES.filter((scope) => granted.includes(scope));
}
