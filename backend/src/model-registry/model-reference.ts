import { MODEL_NAME_PATTERN } from '@housing/ml';

/** An alias name: lower case, starts with a letter, at most 64 characters (`champion`, `challenger`, `eu-2026`). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;
export const ALIAS_RULE = 'a lower-case letter, then up to 63 lower-case letters, digits, "_" or "-"';

/** The alias the API serves; a bare model name in a reference means this alias. */
export const CHAMPION = 'champion';
/** The alias the deprecated `staging` stage maps to. */
export const CHALLENGER = 'challenger';

/** Longest reference text accepted: a model name (200), a separator and a version or alias. */
export const MAX_REFERENCE_LENGTH = 266;

/**
 * The shape of a reference as a JSON-schema pattern (for the OpenAPI document): a model name, then
 * `@alias` or `/version`, or nothing. The version's range (1 to 2147483647) is checked on parsing.
 */
export const MODEL_REFERENCE_PATTERN = `^${MODEL_NAME_PATTERN.source.replace(/^\^|\$$/g, '')}(@[a-z][a-z0-9_-]{0,63}|/[1-9][0-9]{0,9})?$`;

export type ModelReference = { name: string; alias: string } | { name: string; version: number };

export class ModelReferenceError extends Error {}

export const REFERENCE_RULE =
  'must be "name@alias" (e.g. housets-xgboost@champion), "name/version" (e.g. housets-xgboost/3) or a bare model name (its champion)';

/**
 * Parses a model reference as MLflow users write it: `name@alias`, `name/version`, or a bare `name`
 * meaning `name@champion`. Pure: throws ModelReferenceError (with the rule) for anything else.
 */
export function parseModelReference(text: unknown): ModelReference {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_REFERENCE_LENGTH)
    throw new ModelReferenceError(REFERENCE_RULE);
  const at = text.lastIndexOf('@');
  const slash = text.lastIndexOf('/');
  if (at >= 0 && slash >= 0) throw new ModelReferenceError(REFERENCE_RULE);
  if (at >= 0) {
    const name = text.slice(0, at);
    const alias = text.slice(at + 1);
    if (!MODEL_NAME_PATTERN.test(name)) throw new ModelReferenceError(REFERENCE_RULE);
    if (!ALIAS_PATTERN.test(alias)) throw new ModelReferenceError(`the alias ${ALIAS_RULE}`);
    return { name, alias };
  }
  if (slash >= 0) {
    const name = text.slice(0, slash);
    const digits = text.slice(slash + 1);
    const version = /^\d{1,10}$/.test(digits) ? Number(digits) : NaN;
    if (!MODEL_NAME_PATTERN.test(name)) throw new ModelReferenceError(REFERENCE_RULE);
    if (!(version >= 1 && version <= 2_147_483_647))
      throw new ModelReferenceError('the version after "/" must be a positive integer');
    return { name, version };
  }
  if (!MODEL_NAME_PATTERN.test(text)) throw new ModelReferenceError(REFERENCE_RULE);
  return { name: text, alias: CHAMPION };
}

/** The reference written back as text (`name@alias` or `name/version`). */
export const formatModelReference = (ref: ModelReference): string =>
  'alias' in ref ? `${ref.name}@${ref.alias}` : `${ref.name}/${ref.version}`;
