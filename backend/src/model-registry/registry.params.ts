import { Injectable, type PipeTransform } from '@nestjs/common';
import { MODEL_NAME_PATTERN, MODEL_NAME_RULE } from '@housing/ml';
import { validationProblem } from '../common/problem';
import { ALIAS_PATTERN, ALIAS_RULE } from './model-reference';

/** The same rule as registration (the manifest schema): a name that registers can be addressed. */
export const MODEL_NAME = MODEL_NAME_PATTERN;
export const MAX_VERSION = 2_147_483_647;

/** True for a name and version that could be registered (anything else cannot exist). */
export const isModelRef = (name: string, version: number) =>
  MODEL_NAME.test(name) && Number.isInteger(version) && version >= 1 && version <= MAX_VERSION;

/** A model name as packages are named; anything else (control characters, 10 kB strings) is a 400, not a query. */
@Injectable()
export class ModelNamePipe implements PipeTransform<string | undefined, string | undefined> {
  transform(value: string | undefined): string | undefined {
    if (value === undefined) return value;
    if (!MODEL_NAME.test(value)) {
      throw validationProblem([{ field: 'name', message: `must be a model name: ${MODEL_NAME_RULE}` }]);
    }
    return value;
  }
}

/** A registry version number: a positive 32-bit integer written in digits (not 4e16, not 1.5). */
@Injectable()
export class VersionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const version = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(version >= 1 && version <= MAX_VERSION)) {
      throw validationProblem([{ field: 'version', message: 'must be a positive integer version number' }]);
    }
    return version;
  }
}

/** An alias name (ALIAS_PATTERN); anything else is a 400 naming the rule. */
@Injectable()
export class AliasPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!ALIAS_PATTERN.test(value))
      throw validationProblem([{ field: 'alias', message: `must be ${ALIAS_RULE}` }]);
    return value;
  }
}
