import { Injectable, type PipeTransform } from '@nestjs/common';
import { validationProblem } from '../common/problem';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** A model name as packages are named; anything else (control characters, 10 kB strings) is a 400, not a query. */
@Injectable()
export class ModelNamePipe implements PipeTransform<string | undefined, string | undefined> {
  transform(value: string | undefined): string | undefined {
    if (value === undefined) return value;
    if (!NAME.test(value)) {
      throw validationProblem([
        { field: 'name', message: 'must be a model name: letters, digits, ".", "_" or "-", at most 200' },
      ]);
    }
    return value;
  }
}

/** A registry version number: a positive 32-bit integer written in digits (not 4e16, not 1.5). */
@Injectable()
export class VersionPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const version = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    if (!(version >= 1 && version <= 2_147_483_647)) {
      throw validationProblem([{ field: 'version', message: 'must be a positive integer version number' }]);
    }
    return version;
  }
}
