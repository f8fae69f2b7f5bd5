import { validationProblem, type FieldProblem } from '../common/problem';

export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 1000;
export const MAX_DESCRIPTION_LENGTH = 5000;
export const TAG_KEY_PATTERN = /^[A-Za-z0-9_.:/-]{1,128}$/;

/** What PATCH /v1/models/{name}/versions/{version} may change. */
export interface VersionPatch {
  /** null clears it. */
  description?: string | null;
  /** Merged into the version's tags (JSON merge patch): a null value removes the key. */
  tags?: Record<string, string | null>;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a version patch by hand (tags are a free map, which class-validator cannot describe), naming
 * every bad field: unknown fields, a description that is not a string or too long, a tag key outside
 * TAG_KEY_PATTERN, a value that is not a string (or null) or too long, too many keys in one patch.
 */
export function parseVersionPatch(body: unknown): VersionPatch {
  if (!isObject(body)) throw validationProblem([{ field: 'body', message: 'must be a JSON object' }]);
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body))
    if (key !== 'description' && key !== 'tags')
      problems.push({ field: key, message: `property ${key} should not exist` });
  const patch: VersionPatch = {};
  if ('description' in body) {
    const { description } = body;
    if (description !== null && typeof description !== 'string')
      problems.push({ field: 'description', message: 'must be a string or null' });
    else if (typeof description === 'string' && description.length > MAX_DESCRIPTION_LENGTH)
      problems.push({
        field: 'description',
        message: `must be at most ${MAX_DESCRIPTION_LENGTH} characters`,
      });
    else patch.description = description;
  }
  if ('tags' in body) {
    const { tags } = body;
    if (!isObject(tags))
      problems.push({ field: 'tags', message: 'must be an object of tag keys to string values' });
    else {
      const entries = Object.entries(tags);
      if (entries.length > MAX_TAGS)
        problems.push({ field: 'tags', message: `must have at most ${MAX_TAGS} keys` });
      for (const [key, value] of entries.slice(0, MAX_TAGS + 1)) {
        const field = `tags.${key.slice(0, MAX_TAG_KEY_LENGTH)}`;
        if (!TAG_KEY_PATTERN.test(key))
          problems.push({
            field,
            message: `a tag key is 1 to ${MAX_TAG_KEY_LENGTH} letters, digits or "_.:/-"`,
          });
        else if (value !== null && typeof value !== 'string')
          problems.push({ field, message: 'must be a string, or null to remove the tag' });
        else if (typeof value === 'string' && value.length > MAX_TAG_VALUE_LENGTH)
          problems.push({ field, message: `must be at most ${MAX_TAG_VALUE_LENGTH} characters` });
      }
      if (problems.length === 0) patch.tags = tags as Record<string, string | null>;
    }
  }
  if (problems.length > 0) throw validationProblem(problems);
  return patch;
}

/** The tags after a merge patch; refuses a result over MAX_TAGS keys. */
export function mergeTags(
  current: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>>,
): Record<string, string> {
  const merged: Record<string, string> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  if (Object.keys(merged).length > MAX_TAGS)
    throw validationProblem([
      {
        field: 'tags',
        message: `a version may have at most ${MAX_TAGS} tags (this patch would make ${Object.keys(merged).length})`,
      },
    ]);
  return merged;
}
