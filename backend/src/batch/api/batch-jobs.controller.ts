import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiExtraModels,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal, RequireScopes } from '../../auth';
import { notFound, ProblemDetails, validationProblem } from '../../common/problem';
import { flattenValidationErrors } from '../../common/validation';
import {
  BatchJobDto,
  BatchJobEvaluationDto,
  BatchJobListDto,
  CreateBatchJobDto,
  ListBatchJobsQueryDto,
  UploadBatchJobDto,
} from './batch.dto';
import { BatchJobsService, type Submitted } from './batch-jobs.service';

// Any UUID version, as the document's `format: uuid` says (ids are v4; another valid UUID is a 404).
const uuid = new ParseUUIDPipe();
const ID_PARAM = { name: 'id', format: 'uuid', description: 'The job id' } as const;
const CSV_RESPONSE = { content: { 'text/csv': { schema: { type: 'string' } } } };

@ApiTags('batch')
@Controller('v1/batch-jobs')
export class BatchJobsController {
  constructor(private readonly jobs: BatchJobsService) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('batch')
  @ApiExtraModels(CreateBatchJobDto, UploadBatchJobDto)
  @ApiOperation({
    summary: 'Submit a batch prediction job',
    description:
      'Either upload a CSV (multipart/form-data, field `file`, at most BATCH_UPLOAD_LIMIT_BYTES; optional fields `modelName` and ' +
      '`modelVersion` before it) or name a CSV already in the artifact store (JSON `{inputUri, modelVersion?}`) or a registered dataset (JSON `{datasetId, modelVersion?}`, recorded on the job). The job is scored ' +
      'by a worker with the model version named, else the production version at submit time. With an `Idempotency-Key` header, ' +
      'repeating the request with the same key and API key returns the same job instead of creating another.',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(CreateBatchJobDto) } },
        'multipart/form-data': { schema: { $ref: getSchemaPath(UploadBatchJobDto) } },
      },
    },
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Up to 200 visible ASCII characters (empty: no key). The same key from the same API key with the same request (file or input URI, ' +
      'model version) returns the same job; with another request it is a 422. A key is bound for IDEMPOTENCY_KEY_TTL_SECONDS ' +
      '(default 24 h) after its job was created, then released.',
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{0,200}$' },
  })
  @ApiAcceptedResponse({
    type: BatchJobDto,
    description:
      'Queued (or, with a known Idempotency-Key, the earlier job; header Idempotent-Replayed: true)',
  })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'Invalid body: `errors` names every bad field',
  })
  @ApiConflictResponse({ type: ProblemDetails, description: 'No model version named and none in production' })
  @ApiPayloadTooLargeResponse({
    type: ProblemDetails,
    description: 'The upload exceeds BATCH_UPLOAD_LIMIT_BYTES',
  })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description:
      'Unknown model version, an input URI outside the artifact store or missing, or an Idempotency-Key reused with another request',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No dataset with that datasetId' })
  async submit(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
    @Headers('idempotency-key') idempotencyHeader: string | undefined,
    @Principal() principal: Principal,
  ): Promise<BatchJobDto> {
    const key = this.jobs.idempotencyKey(idempotencyHeader);
    let submitted: Submitted;
    if (request.isMultipart()) {
      submitted = await this.jobs.submitUpload(request, principal, key);
    } else {
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw validationProblem([
          {
            field: 'body',
            message:
              'must be a JSON object {inputUri or datasetId, modelVersion?, explain?}, or a multipart/form-data upload',
          },
        ]);
      }
      const dto = plainToInstance(CreateBatchJobDto, body);
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) throw validationProblem(flattenValidationErrors(errors));
      submitted = await this.jobs.submitUri(dto, dto.modelVersion, principal, key, dto.explain ?? 0);
    }
    void reply.header('location', `/v1/batch-jobs/${submitted.job.id}`);
    if (submitted.replayed) void reply.header('idempotent-replayed', 'true');
    return BatchJobDto.from(submitted.job);
  }

  @Get()
  @RequireScopes('batch')
  @ApiOperation({ summary: "List batch jobs, newest first (the key's own; every job for admin keys)" })
  @ApiOkResponse({ type: BatchJobListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async list(
    @Query() query: ListBatchJobsQueryDto,
    @Principal() principal: Principal,
  ): Promise<BatchJobListDto> {
    const { rows, total, limit, offset } = await this.jobs.list(principal, query);
    return { items: rows.map((r) => BatchJobDto.from(r)), total, limit, offset };
  }

  @Get(':id')
  @RequireScopes('batch')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: 'A batch job: status, progress, row counts, model version, timings and error reason',
  })
  @ApiOkResponse({ type: BatchJobDto })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<BatchJobDto> {
    return BatchJobDto.from(await this.jobs.get(principal, id));
  }

  @Get(':id/result')
  @RequireScopes('batch')
  @ApiParam(ID_PARAM)
  @ApiProduces('text/csv')
  @ApiOperation({
    summary:
      'The result CSV: the input columns, predicted_price, and actual_price when the input had the target column',
  })
  @ApiOkResponse({ description: 'The result, streamed', ...CSV_RESPONSE })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No such job, or it failed or was cancelled' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The job has not finished yet' })
  async result(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<StreamableFile> {
    return this.file(principal, id, 'result');
  }

  @Get(':id/errors')
  @RequireScopes('batch')
  @ApiParam(ID_PARAM)
  @ApiProduces('text/csv')
  @ApiOperation({
    summary:
      'The rejected rows: `line` (1-based line of the input where the row starts), `reason`, and `row` (the row itself as one CSV cell, cut at 1,000 characters)',
  })
  @ApiOkResponse({ description: 'The errors file, streamed', ...CSV_RESPONSE })
  @ApiNotFoundResponse({
    type: ProblemDetails,
    description: 'No such job, or it has no errors file (e.g. its input was unreadable)',
  })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The job has not finished yet' })
  async errors(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<StreamableFile> {
    return this.file(principal, id, 'errors');
  }

  @Get(':id/evaluation')
  @RequireScopes('batch')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: 'Accuracy of a job whose input had actual prices: actual vs predicted by (month, region)',
    description:
      'The same cells as a model version’s holdout evaluation (GET /v1/models/{name}/versions/{version}/evaluation), so any filter on months and regions sums to exact MAE, RMSE and MAPE.',
  })
  @ApiOkResponse({ type: BatchJobEvaluationDto })
  @ApiNotFoundResponse({
    type: ProblemDetails,
    description: 'No such job, or it has no evaluation (not completed, or its input had no actual prices)',
  })
  async evaluation(
    @Param('id', uuid) id: string,
    @Principal() principal: Principal,
  ): Promise<BatchJobEvaluationDto> {
    const row = await this.jobs.get(principal, id);
    if (!row.evaluation)
      throw notFound(
        `batch job ${id} has no evaluation: it has not completed, or its input had no actual prices`,
      );
    return row.evaluation;
  }

  @Delete(':id')
  @RequireScopes('batch')
  @ApiParam(ID_PARAM)
  @ApiOperation({
    summary: 'Cancel a job: a queued one is removed from the queue, a running one stops at its next chunk',
  })
  @ApiOkResponse({ type: BatchJobDto, description: 'The job, now cancelled' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'The job has already finished (completed, failed or cancelled)',
  })
  async cancel(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<BatchJobDto> {
    return BatchJobDto.from(await this.jobs.cancel(principal, id));
  }

  private async file(principal: Principal, id: string, which: 'result' | 'errors'): Promise<StreamableFile> {
    const { stream, bytes, filename } = await this.jobs.openFile(principal, id, which);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${filename}"`,
      ...(bytes !== undefined && { length: bytes }),
    });
  }
}
