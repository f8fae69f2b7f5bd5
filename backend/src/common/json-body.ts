import { createParamDecorator, type ExecutionContext, type PipeTransform, type Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { validationProblem } from './problem';
import { AppValidationPipe, VALIDATION_PIPE_OPTIONS } from './validation';

/** What the decorator extracts from a multipart request, which its handler streams instead. */
const MULTIPART = Symbol('multipart');

/**
 * The JSON body of a route that also takes multipart/form-data uploads: undefined for a multipart
 * request (the handler streams it); otherwise the body validated as `dto` by the app's ValidationPipe
 * (400 naming every bad field), after a 400 saying `shape` when the body is not a JSON object.
 * (`@Body()` would validate a multipart request's missing body as an empty object and refuse it.)
 */
export function JsonBodyUnlessMultipart(dto: Type<unknown>, shape: string): ParameterDecorator {
  return createParamDecorator((_: unknown, context: ExecutionContext) => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    return request.isMultipart() ? MULTIPART : request.body;
  })(undefined, new JsonObjectBodyPipe(dto, shape));
}

class JsonObjectBodyPipe implements PipeTransform {
  private readonly validation = new AppValidationPipe(VALIDATION_PIPE_OPTIONS);

  constructor(
    private readonly dto: Type<unknown>,
    private readonly shape: string,
  ) {}

  async transform(value: unknown): Promise<unknown> {
    if (value === MULTIPART) return undefined;
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw validationProblem([{ field: 'body', message: this.shape }]);
    return this.validation.transform(value, { type: 'body', metatype: this.dto, data: undefined });
  }
}
