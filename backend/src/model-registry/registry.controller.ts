import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { Principal, RequireScopes } from '../auth';
import { ProblemDetails, ProblemException, validationProblem } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { ModelEvaluationDto, ModelVersionDto, RegisterFromUriDto, SetStageDto } from './registry.dto';
import { RegistryService } from './registry.service';
import { MAX_VERSION, MODEL_NAME, ModelNamePipe, VersionPipe } from './registry.params';

/** What VersionPipe enforces, in the OpenAPI document. */
const VERSION_PARAM = { name: 'version', type: 'integer', minimum: 1, maximum: MAX_VERSION } as const;
/** What ModelNamePipe enforces, in the OpenAPI document. */
const NAME_PARAM = { name: 'name', type: 'string', pattern: MODEL_NAME.source } as const;

@ApiTags('models')
@Controller('v1/models')
export class RegistryController {
  constructor(
    private readonly registry: RegistryService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RequireScopes('models:write')
  @ApiOperation({ summary: 'Register a model package (upload of the .tar.gz archive written by `ml pack`)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['package'],
      properties: { package: { type: 'string', format: 'binary' } },
    },
  })
  @ApiCreatedResponse({ type: ModelVersionDto })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description:
      'The package failed verification, or its archive holds a link, an absolute or `..` path, a file over its ' +
      'limit, or a manifest/evaluation that does not match its schema; `detail` says why',
  })
  @ApiPayloadTooLargeResponse({ type: ProblemDetails, description: 'Larger than MODEL_PACKAGE_LIMIT_BYTES' })
  async upload(@Req() request: FastifyRequest, @Principal() principal: Principal): Promise<ModelVersionDto> {
    if (!request.isMultipart())
      throw validationProblem([
        { field: 'package', message: 'send the archive as multipart/form-data field "package"' },
      ]);
    let file: MultipartFile | undefined;
    try {
      file = await request.file({ limits: { fileSize: this.config.MODEL_PACKAGE_LIMIT_BYTES, files: 1 } });
    } catch (error) {
      throw validationProblem([
        { field: 'package', message: `the multipart body is malformed: ${(error as Error).message}` },
      ]);
    }
    if (!file || file.fieldname !== 'package') {
      file?.file.resume();
      throw validationProblem([{ field: 'package', message: 'is required: a .tar.gz package archive' }]);
    }
    // Streamed: the archive is inflated and parsed as it arrives, never held whole in memory.
    try {
      return ModelVersionDto.from(await this.registry.registerArchiveStream(file.file, principal.keyId));
    } catch (error) {
      if (file.file.truncated || (error as { statusCode?: number }).statusCode === 413)
        throw new ProblemException(
          HttpStatus.PAYLOAD_TOO_LARGE,
          'payload-too-large',
          'Package too large',
          `the package archive exceeds MODEL_PACKAGE_LIMIT_BYTES (${this.config.MODEL_PACKAGE_LIMIT_BYTES} bytes)`,
        );
      throw error;
    }
  }

  @Post('from-uri')
  @RequireScopes('models:write')
  @ApiOperation({ summary: 'Register a model package already in the artifact store' })
  @ApiCreatedResponse({ type: ModelVersionDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDetails })
  async fromUri(
    @Body() body: RegisterFromUriDto,
    @Principal() principal: Principal,
  ): Promise<ModelVersionDto> {
    return ModelVersionDto.from(await this.registry.registerUri(body.uri, principal.keyId));
  }

  @Get()
  @RequireScopes('models:read')
  @ApiOperation({ summary: 'List model versions, newest first, with metrics and lineage' })
  @ApiQuery({ ...NAME_PARAM, required: false })
  @ApiOkResponse({ type: [ModelVersionDto] })
  async list(@Query('name', ModelNamePipe) name?: string): Promise<ModelVersionDto[]> {
    return (await this.registry.list(name)).map(ModelVersionDto.from);
  }

  @Post('rollback')
  @HttpCode(200)
  @RequireScopes('models:write')
  @ApiOperation({ summary: 'Put the previous production version back into production' })
  @ApiOkResponse({ type: ModelVersionDto, description: 'The version now in production' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'No earlier production version to return to' })
  async rollback(@Principal() principal: Principal): Promise<ModelVersionDto> {
    return ModelVersionDto.from(await this.registry.rollback(principal.keyId));
  }

  @Get(':name/versions/:version')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({ summary: 'One model version' })
  @ApiOkResponse({ type: ModelVersionDto })
  async get(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
  ): Promise<ModelVersionDto> {
    return ModelVersionDto.from(await this.registry.get(name, version));
  }

  @Get(':name/versions/:version/evaluation')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({ summary: 'Holdout evaluation by month and region, feature importances and tuning trials' })
  @ApiOkResponse({ type: ModelEvaluationDto })
  async evaluation(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
  ): Promise<ModelEvaluationDto> {
    return this.registry.readEvaluation(await this.registry.get(name, version));
  }

  @Put(':name/versions/:version/stage')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @RequireScopes('models:write')
  @ApiOperation({
    summary: 'Move a version to a stage; promoting to production archives the current production version',
    description:
      'The production version cannot be moved to another stage directly (409): promote its replacement or roll back.',
  })
  @ApiOkResponse({ type: ModelVersionDto })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'The version is in production and has no replacement',
  })
  async setStage(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
    @Body() body: SetStageDto,
    @Principal() principal: Principal,
  ): Promise<ModelVersionDto> {
    return ModelVersionDto.from(await this.registry.setStage(name, version, body.stage, principal.keyId));
  }
}
