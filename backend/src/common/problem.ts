import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldProblem {
  @ApiProperty({ example: 'records[3].median_list_price' })
  field: string;
  @ApiProperty({ example: 'must be a number, got "abc"' })
  message: string;
}

/** RFC 9457 problem details: the body of every error response (application/problem+json). */
export class ProblemDetails {
  @ApiProperty({ example: 'https://housing.dev/problems/validation' })
  type: string;
  @ApiProperty({ example: 'Validation failed' })
  title: string;
  @ApiProperty({ example: 400 })
  status: number;
  @ApiPropertyOptional({ example: '2 fields are invalid' })
  detail?: string;
  @ApiPropertyOptional({ example: '/v1/predictions' })
  instance?: string;
  @ApiPropertyOptional({ description: 'Request id, also in the X-Request-Id header and every log line.' })
  requestId?: string;
  @ApiPropertyOptional({
    type: [FieldProblem],
    description: 'Every bad field, when the request was invalid.',
  })
  errors?: FieldProblem[];
}

export const PROBLEM_BASE = 'https://housing.dev/problems/';

/** An HTTP error carrying problem details; throw it from services and controllers. */
export class ProblemException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly problemType: string,
    readonly title: string,
    detail?: string,
    readonly errors?: FieldProblem[],
    readonly headers: Record<string, string> = {},
    /** RFC 9457 extension members added to the body (e.g. the evidence a refused promotion rests on). */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title, status);
  }
}

export const validationProblem = (errors: FieldProblem[], detail?: string) =>
  new ProblemException(
    HttpStatus.BAD_REQUEST,
    'validation',
    'Validation failed',
    detail ??
      `${errors.length} field${errors.length === 1 ? ' is' : 's are'} invalid: ${errors.map((e) => e.field).join(', ')}`,
    errors,
  );

export const notFound = (what: string) =>
  new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', what);
export const conflict = (detail: string) =>
  new ProblemException(HttpStatus.CONFLICT, 'conflict', 'Conflict', detail);
