import {
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Inject,
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
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal, RequireScopes } from '../../auth';
import { JsonBodyUnlessMultipart } from '../../common/json-body';
import { notFound, ProblemDetails, ProblemException, validationProblem } from '../../common/problem';
import { drain, plainFileStream } from '../../common/multipart';
import { APP_CONFIG, type AppConfig } from '../../config/config';
import {
  CONTROL_CHARACTERS,
  BatchJobDto,
  BatchJobEvaluationDto,
  BatchJobListDto,
  CreateBatchJobDto,
  ListBatchJobsQueryDto,
  UploadBatchJobDto,
} from './batch.dto';
import {
  BatchJobsService,
  MAX_EXPLAIN_TOP,
  tooLarge,
  type Submitted,
  type UploadSubmission,
} from './batch-jobs.service';

// Any UUID version, as the document's `format: uuid` says (ids are v4; another valid UUID is a 404).
const uuid = new ParseUUIDPipe();
const ID_PARAM = { name: 'id', format: 'uuid', description: 'The job id' } as const;
const CSV_RESPONSE = { content: { 'text/csv': { schema: { type: 'string' } } } };
const JSON_BODY_SHAPE =
  'must be a JSON object {inputUri or datasetId, modelVersion?, explain?}, or a multipart/form-data upload';

@ApiTags('batch')
@Controller('v1/batch-jobs')
export class BatchJobsController {
  constructor(
    private readonly jobs: BatchJobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('batch')
  @ApiExtraModels(CreateBatchJobDto, UploadBatchJobDto)
  @ApiOperation({
    summary: 'Submit a batch prediction job',
    description:
      'Either upload a CSV (multipart/form-data, field `file`, at most BATCH_UPLOAD_LIMIT_BYTES; optional fields `modelName` and ' +
      '`modelVersion` before it: a form field after the file is a 400, more than 10 fields a 413) or name a CSV already in the artifact store (JSON `{inputUri, modelVersion?}`) or a registered dataset (JSON `{datasetId, modelVersion?}`, recorded on the job). The job is scored ' +
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
    @JsonBodyUnlessMultipart(CreateBatchJobDto, JSON_BODY_SHAPE) body: CreateBatchJobDto | undefined,
    @Headers('idempotency-key') idempotencyHeader: string | undefined,
    @Principal() principal: Principal,
  ): Promise<BatchJobDto> {
    const idempotencyKey = this.jobs.idempotencyKey(idempotencyHeader);
    const submitted = body
      ? await this.jobs.submitUri(body, principal, idempotencyKey)
      : await this.submitUpload(request, principal, idempotencyKey);
    void reply.header('location', `/v1/batch-jobs/${submitted.job.id}`);
    if (submitted.replayed) void reply.header('idempotent-replayed', 'true');
    return BatchJobDto.from(submitted.job);
  }

  /** The multipart variant: the form is read here, the CSV streams on to the service. */
  private async submitUpload(
    request: FastifyRequest,
    principal: Principal,
    idempotencyKey: string | undefined,
  ): Promise<Submitted> {
    const form = await readBatchUploadForm(request, this.config.BATCH_UPLOAD_LIMIT_BYTES);
    try {
      return await this.jobs.submitUpload({ ...form.upload, principal, idempotencyKey });
    } catch (error) {
      await form.drain();
      throw error;
    }
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

/** The form fields read before the file part; a file part may not repeat them. */
const FORM_FIELDS = ['modelName', 'modelVersion', 'model', 'explain'] as const;

/** Form fields an upload may have besides its file; one more is refused (413), never dropped unread. */
const MAX_FORM_FIELDS = 10;

/** The multipart form of POST /v1/batch-jobs, read up to the start of its file part. */
interface BatchUploadForm {
  upload: Pick<UploadSubmission, 'stream' | 'fileName' | 'model' | 'explain'>;
  /** Reads and drops the rest of the file part, so the client gets our answer rather than a reset connection. */
  drain(): Promise<void>;
}

/**
 * Reads the form fields `modelName`, `modelVersion`, `model` and `explain` (before the file) and opens the CSV
 * of field `file`: a 413 past `limitBytes` or the form's part limits, a 400 naming the bad field
 * otherwise. A refused form is drained before the problem is thrown.
 */
async function readBatchUploadForm(request: FastifyRequest, limitBytes: number): Promise<BatchUploadForm> {
  let file: MultipartFile | undefined;
  try {
    // The parser's limit is one over ours, so that a form past ours is seen (and refused in formFields)
    // instead of its extra fields being dropped without a word.
    file = await request.file({
      limits: { fileSize: limitBytes + 1, files: 1, fields: MAX_FORM_FIELDS + 1 },
    });
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 413) throw tooLarge(limitBytes);
    throw validationProblem([
      { field: 'file', message: `the multipart body is malformed: ${(error as Error).message}` },
    ]);
  }
  if (!file || file.fieldname !== 'file') {
    if (file) await drain(file.file);
    throw validationProblem([
      { field: 'file', message: 'is required: the CSV to score, as multipart/form-data field "file"' },
    ]);
  }
  const part = file;
  try {
    return {
      upload: { ...formFields(part), stream: plainFileStream(part, limitBytes) },
      drain: () => drain(part.file),
    };
  } catch (error) {
    await drain(part.file);
    throw error;
  }
}

function formFields(file: MultipartFile): Omit<BatchUploadForm['upload'], 'stream'> {
  const fields = file.fields as Record<string, { value?: unknown } | unknown[] | undefined>;
  // In arrival order, the file part included.
  const names = Object.keys(fields);
  const fieldCount = names
    .filter((n) => n !== file.fieldname)
    .reduce((count, n) => count + (Array.isArray(fields[n]) ? fields[n].length : 1), 0);
  if (fieldCount > MAX_FORM_FIELDS)
    throw new ProblemException(
      HttpStatus.PAYLOAD_TOO_LARGE,
      'payload-too-large',
      'Payload too large',
      `the form has more than ${MAX_FORM_FIELDS} fields besides the file`,
    );
  // Only fields before the file are read (the upload is streamed). A field after it is refused rather
  // than read or ignored by chance: a small body is parsed whole before this runs, a large one is not.
  const late = names
    .slice(names.indexOf(file.fieldname) + 1)
    .find((n) => (FORM_FIELDS as readonly string[]).includes(n));
  if (late)
    throw validationProblem([
      { field: late, message: 'must come before the file part: form fields after the file are not read' },
    ]);
  // A repeated field (`modelVersion` twice) is ambiguous: refused, not read as absent.
  const repeated = FORM_FIELDS.find((n) => Array.isArray(fields[n]));
  if (repeated) throw validationProblem([{ field: repeated, message: 'must be sent once' }]);
  // A field sent empty is a bad value (400), not an absent one: `modelName=` does not mean production.
  const fieldValue = (name: (typeof FORM_FIELDS)[number]) => {
    const v = (fields[name] as { value?: unknown } | undefined)?.value;
    return typeof v === 'string' ? v.trim() : undefined;
  };
  const name = fieldValue('modelName');
  const versionText = fieldValue('modelVersion');
  const reference = fieldValue('model');
  const explainText = fieldValue('explain');
  const explain = explainText === undefined ? 0 : Number(explainText);
  if (!(/^\d{1,2}$/.test(explainText ?? '0') && explain <= MAX_EXPLAIN_TOP))
    throw validationProblem([
      { field: 'explain', message: `must be an integer from 0 to ${MAX_EXPLAIN_TOP}` },
    ]);
  // Checked before anything is stored: a refused request leaves no input object behind.
  if (file.filename && CONTROL_CHARACTERS.test(file.filename))
    throw validationProblem([
      {
        field: 'file',
        message: 'the file name must not contain control characters (NUL, line breaks, tabs)',
      },
    ]);
  return {
    fileName: file.filename || undefined,
    explain,
    model:
      name !== undefined || versionText !== undefined || reference !== undefined
        ? {
            name,
            version: versionText === undefined ? undefined : Number(versionText),
            ...(reference !== undefined && { reference }),
          }
        : undefined,
  };
}
