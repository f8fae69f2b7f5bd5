import type { Readable } from 'node:stream';
import {
  Controller,
  Delete,
  Get,
  Header,
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
  ApiCreatedResponse,
  ApiExtraModels,
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
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal, RequireScopes } from '../../auth';
import { JsonBodyUnlessMultipart } from '../../common/json-body';
import { ProblemDetails } from '../../common/problem';
import {
  CreateTrainingRunDto,
  ListTrainingRunsQueryDto,
  RecordedRunDto,
  TrainingRunDto,
  TrainingRunListDto,
  UploadTrainingRunDto,
} from './training.dto';
import { TrainingRunsService } from './training-runs.service';
import { TrainingUploadForms } from './training-upload-forms';

const uuid = new ParseUUIDPipe();
const ID_PARAM = { name: 'id', format: 'uuid', description: 'The training run id' } as const;
const JSON_BODY_SHAPE =
  'must be a JSON object {inputUri or datasetId, specName or spec, trials?, metric?, seeds?, fast?, timeLimitSeconds?}, or a multipart/form-data upload';

@ApiTags('training')
@Controller('v1/training-runs')
export class TrainingRunsController {
  constructor(
    private readonly runs: TrainingRunsService,
    private readonly forms: TrainingUploadForms,
  ) {}

  @Post()
  @HttpCode(202)
  @RequireScopes('train')
  @ApiExtraModels(CreateTrainingRunDto, UploadTrainingRunDto)
  @ApiOperation({
    summary: 'Queue a training run',
    description:
      'Upload a CSV (multipart/form-data: the option fields, then field `file`, at most TRAINING_UPLOAD_LIMIT_BYTES) or name one ' +
      '(JSON `{inputUri}` in the artifact store, or `{datasetId}` of a registered dataset). The spec: `specName` (built-in), `spec` ' +
      '(inline JSON, validated: a 400 names every problem), else the dataset’s spec, else housets. A training worker runs `ml train` ' +
      'on it; the package is registered as a new model version, not promoted. Follow it at the Location.',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(CreateTrainingRunDto) } },
        'multipart/form-data': { schema: { $ref: getSchemaPath(UploadTrainingRunDto) } },
      },
    },
  })
  @ApiAcceptedResponse({ type: TrainingRunDto, description: 'Queued' })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'Invalid body or spec: `errors` names every problem' })
  @ApiPayloadTooLargeResponse({ type: ProblemDetails, description: 'The upload exceeds TRAINING_UPLOAD_LIMIT_BYTES' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: 'An option over the server’s limits, an unknown spec, or an input URI outside the store or missing',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No dataset with that datasetId' })
  async submit(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @JsonBodyUnlessMultipart(CreateTrainingRunDto, JSON_BODY_SHAPE) body: CreateTrainingRunDto | undefined,
    @Principal() principal: Principal,
  ): Promise<TrainingRunDto> {
    const row = body
      ? await this.runs.submit(body, TrainingRunsService.inputOf(body), principal)
      : await this.forms.withUpload(request, (fields, stream, fileName) =>
          this.runs.submit(fields, { kind: 'upload', stream, fileName }, principal),
        );
    void reply.header('location', `/v1/training-runs/${row.id}`);
    return TrainingRunDto.from(row, this.runs.holdoutUri(row));
  }

  @Post('recorded')
  @HttpCode(201)
  @RequireScopes('train')
  @ApiOperation({
    summary: 'Record a run trained offline (`ml train --server`)',
    description:
      'multipart/form-data: a `run` field (JSON: specName, params, metrics, trials, datasetSha256, durationMs, logTail, options) ' +
      'before a `package` file (the .tar.gz of `ml pack`). The package is registered as a new version (not promoted) and the run kept with source `cli`.',
  })
  @ApiCreatedResponse({ type: TrainingRunDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiUnprocessableEntityResponse({ type: ProblemDetails, description: 'The registry refused the package' })
  async record(@Req() request: FastifyRequest, @Principal() principal: Principal): Promise<TrainingRunDto> {
    const row = await this.forms.withRecordedRun(request, (run: RecordedRunDto, archive: Readable) =>
      this.runs.recordCliRun(run, archive, principal),
    );
    return TrainingRunDto.from(row, null);
  }

  @Get()
  @RequireScopes('train')
  @ApiOperation({ summary: "List training runs, newest first (the key's own; every run for admin keys)" })
  @ApiOkResponse({ type: TrainingRunListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async list(@Query() query: ListTrainingRunsQueryDto, @Principal() principal: Principal): Promise<TrainingRunListDto> {
    const { rows, total, limit, offset } = await this.runs.list(principal, query);
    return { items: rows.map((r) => TrainingRunDto.from(r, this.runs.holdoutUri(r))), total, limit, offset };
  }

  @Get(':id')
  @RequireScopes('train')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'A training run: status, live progress, parameters, metrics, trials, the registered version' })
  @ApiOkResponse({ type: TrainingRunDto })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<TrainingRunDto> {
    const row = await this.runs.get(principal, id);
    return TrainingRunDto.from(row, this.runs.holdoutUri(row));
  }

  @Get(':id/logs')
  @RequireScopes('train')
  @ApiParam(ID_PARAM)
  @ApiProduces('text/plain')
  @Header('content-type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: 'The run’s log: the whole log once the attempt ended, its tail while it runs' })
  @ApiOkResponse({ description: 'The log', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async logs(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<StreamableFile | string> {
    const log = await this.runs.logs(principal, id);
    return typeof log === 'string' ? log : new StreamableFile(log, { type: 'text/plain; charset=utf-8' });
  }

  @Delete(':id')
  @RequireScopes('train')
  @ApiParam(ID_PARAM)
  @ApiOperation({ summary: 'Cancel a run: a queued one leaves the queue, a running one’s trainer is stopped (its log is kept)' })
  @ApiOkResponse({ type: TrainingRunDto, description: 'The run, now cancelled' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'The run has already finished' })
  async cancel(@Param('id', uuid) id: string, @Principal() principal: Principal): Promise<TrainingRunDto> {
    const row = await this.runs.cancel(principal, id);
    return TrainingRunDto.from(row, this.runs.holdoutUri(row));
  }
}
