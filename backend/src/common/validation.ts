import { ValidationPipe, type ArgumentMetadata, type ValidationPipeOptions } from '@nestjs/common';
import type { ValidationError } from 'class-validator';
import { validationProblem, type FieldProblem } from './problem';

/** class-validator's nested errors as flat `field.path: message` entries. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent
      ? /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`
      : error.property;
    for (const message of Object.values(error.constraints ?? {})) out.push({ field, message });
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** For @Transform on a numeric query parameter: an empty one (`?offset=`) is not 0 but invalid (NaN). */
export const queryNumber = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;

const VALIDATED_BY_HANDLER = Symbol('validatedByHandler');

/**
 * Marks a DTO whose body the handler validates itself (hot paths: class-transformer and
 * class-validator would walk every field of every record). The class still documents the body.
 */
export function ValidatedByHandler(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(VALIDATED_BY_HANDLER, true, target);
  };
}

/** The global ValidationPipe, minus the DTOs marked @ValidatedByHandler(). */
export class AppValidationPipe extends ValidationPipe {
  protected override toValidate(metadata: ArgumentMetadata): boolean {
    if (metadata.metatype && Reflect.getMetadata(VALIDATED_BY_HANDLER, metadata.metatype)) return false;
    return super.toValidate(metadata);
  }
}

/** The options of the app's ValidationPipe: unknown properties refused, every bad field named in one 400. */
export const VALIDATION_PIPE_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
};
