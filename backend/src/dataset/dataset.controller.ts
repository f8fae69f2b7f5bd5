import {
  Body,
  Controller,
  Delete,
  Get,
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
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiParam,
  ApiProduces,
  ApiTags,
  ApiUnprocessableEntityResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Principal, RequireScopes } from '../auth';
import { ProblemDetails, validationProblem } from '../common/problem';
import { flattenValidationErrors } from '../common/validation';
import {
  DatasetDto,
  DatasetListDto,
  ListDatasetsQueryDto,
  RegisterDatasetFromUriDto,
  UploadDatasetDto,
} from './dataset.dto';
import { DatasetService, type Registered } from './dataset.service';

// Any UUID version, as the document's `format: uuid` says (ids are v4; another valid UUID is a 404).
const uuid = new ParseUUIDPipe();
const ID_PARAM = { name: 'id', format: 'uuid', description: 'The dataset id' } as const;

@ApiTags('datasets')
@Controller('v1/datasets')
export class DatasetController {
  constructor(private readonly datasets: DatasetService) {}

  @Post()
  @RequireScopes('models:write')
  @ApiExtraModels(RegisterDatasetFromUriDto, UploadDatasetDto)
  @ApiOperation({
    summary: 'Register a dataset version (a CSV following a built-in spec)',
    description:
      'Upload the CSV (multipart/form-data: field `spec`, then field `file`; at most DATASET_UPLOAD_LIMIT_BYTES) or name one ' +
      'already in the artifact store (JSON `{spec, uri}`). The file is stored immutable under its sha256 with its row count and ' +
      'column profile. The same bytes again return the existing dataset (200) instead of creating one (201).',
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: getSchemaPath(RegisterDatasetFromUriDto) } },
        'multipart/form-data': { schema: { $ref: getSchemaPath(UploadDatasetDto) } },
      },
    },
  })
  @ApiCreatedResponse({ type: DatasetDto, description: 'Registered' })
  @ApiOkResponse({ type: DatasetDto, description: 'The same bytes were registered before: that dataset' })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'Invalid body or spec name' })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'The same bytes are registered under another spec',
  })
  @ApiPayloadTooLargeResponse({ type: ProblemDetails, description: 'Larger than DATASET_UPLOAD_LIMIT_BYTES' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: 'Not a CSV of that spec (missing columns, no rows, malformed), or a URI outside the store',
  })
  async register(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: unknown,
    @Principal() principal: Principal,
  ): Promise<DatasetDto> {
    let registered: Registered;
    if (request.isMultipart()) {
      registered = await this.datasets.registerUpload(request, principal.keyId);
    } else {
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        throw validationProblem([
          { field: 'body', message: 'must be a JSON object {spec, uri}, or a multipart/form-data upload' },
        ]);
      const dto = plainToInstance(RegisterDatasetFromUriDto, body);
      const errors = await validate(dto, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length > 0) throw validationProblem(flattenValidationErrors(errors));
      registered = await this.datasets.registerUri(dto.spec, dto.uri, principal.keyId);
    }
    void reply.status(registered.created ? 201 : 200);
    void reply.header('location', `/v1/datasets/${registered.dataset.id}`);
    return DatasetDto.from(registered.dataset, this.datasets.uri(registered.dataset));
  }

  @Get()
  @RequireScopes('models:read')
  @ApiOperation({
    summary: 'List dataset versions, newest first (with ?sha256=, the one with that checksum, if any)',
  })
  @ApiOkResponse({ type: DatasetListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async list(@Query() query: ListDatasetsQueryDto): Promise<DatasetListDto> {
    const limit = query.limit ?? 20;
    const offset = query.offset ?? 0;
    const { rows, total } = await this.datasets.list(limit, offset, query.sha256);
    return { items: rows.map((r) => DatasetDto.from(r, this.datasets.uri(r))), total, limit, offset };
  }

  @Get(':id')
  @ApiParam(ID_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({
    summary: 'A dataset version: checksum, spec, rows, column profile, and the model versions trained on it',
  })
  @ApiOkResponse({ type: DatasetDto })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(@Param('id', uuid) id: string): Promise<DatasetDto> {
    const row = await this.datasets.get(id);
    return DatasetDto.from(row, this.datasets.uri(row), await this.datasets.modelsTrainedOn(row));
  }

  @Get(':id/content')
  @ApiParam(ID_PARAM)
  @RequireScopes('models:read')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The CSV itself, streamed (its sha256 is the dataset’s)' })
  @ApiOkResponse({ description: 'The file', content: { 'text/csv': { schema: { type: 'string' } } } })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async content(@Param('id', uuid) id: string): Promise<StreamableFile> {
    const { row, stream } = await this.datasets.content(id);
    return new StreamableFile(stream, {
      type: 'text/csv; charset=utf-8',
      length: row.bytes,
      disposition: `attachment; filename="${row.sha256}.csv"`,
    });
  }

  @Delete(':id')
  @ApiParam(ID_PARAM)
  @HttpCode(204)
  @RequireScopes('models:write')
  @ApiOperation({
    summary: 'Delete a dataset version no model version was trained on and no batch evaluation scored',
  })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ProblemDetails })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'A model version was trained on it, or a batch evaluation scored it (they are named)',
  })
  async delete(@Param('id', uuid) id: string): Promise<void> {
    await this.datasets.delete(id);
  }
}
