import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Inject,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiBadRequestResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { Principal, RequireScopes } from '../auth';
import { ProblemDetails, ProblemException, validationProblem } from '../common/problem';
import { APP_CONFIG, type AppConfig } from '../config/config';
import {
  AliasSetDto,
  HistoryEntryDto,
  HistoryListDto,
  HistoryQueryDto,
  ModelAliasDto,
  ModelEvaluationDto,
  ModelVersionDto,
  RegisterFromUriDto,
  RemoveAliasDto,
  RollbackPreviewDto,
  RollbackRequestDto,
  RollbackResultDto,
  SetAliasDto,
  SetStageDto,
  UpdateVersionDto,
} from './registry.dto';
import { RegistryService } from './registry.service';
import { PromotionGate } from './promotion-gate';
import { PromotionNeedsForceDto } from '../promotion/promotion-evidence.dto';
import { AliasPipe, MAX_VERSION, MODEL_NAME, ModelNamePipe, VersionPipe } from './registry.params';
import { ALIAS_PATTERN, CHALLENGER, CHAMPION } from './model-reference';
import { parseVersionPatch } from './model-tags';

/** When the stage endpoint was deprecated (RFC 9745 `Deprecation: @<seconds>`). */
const STAGES_DEPRECATED_AT = Date.UTC(2026, 11, 7) / 1000;
/** What AliasPipe enforces, in the OpenAPI document. */
const ALIAS_PARAM = { name: 'alias', type: 'string', pattern: ALIAS_PATTERN.source } as const;

/** What VersionPipe enforces, in the OpenAPI document. */
const VERSION_PARAM = { name: 'version', type: 'integer', minimum: 1, maximum: MAX_VERSION } as const;
/** What ModelNamePipe enforces, in the OpenAPI document. */
const NAME_PARAM = { name: 'name', type: 'string', pattern: MODEL_NAME.source } as const;

@ApiTags('models')
@Controller('v1/models')
export class RegistryController {
  constructor(
    private readonly registry: RegistryService,
    private readonly promotions: PromotionGate,
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
  @ApiOperation({
    summary:
      'Move champion back one step through its history (the version GET /v1/models/{name}/rollback names)',
    description:
      'Each rollback restores the version that held champion before the current one arrived, skipping versions ' +
      'already rolled away from: after v1→v2→v3, two rollbacks give v2 then v1. The body is optional.',
  })
  @ApiOkResponse({ type: RollbackResultDto, description: 'The version now in production, with from and to' })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'No earlier champion to return to, or not the expectedVersion',
  })
  async rollback(
    @Body() body: RollbackRequestDto,
    @Principal() principal: Principal,
  ): Promise<RollbackResultDto> {
    const plan = await this.registry.rollback(principal.keyId, {
      reason: body?.reason ?? null,
      ...(body?.expectedVersion !== undefined && { expectedVersion: body.expectedVersion }),
    });
    return RollbackResultDto.fromPlan(plan);
  }

  @Get(':name/rollback')
  @ApiParam(NAME_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({ summary: 'Which version a rollback would bring back (nothing changes)' })
  @ApiOkResponse({ type: RollbackPreviewDto })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'The model does not hold champion, or no earlier champion exists; `detail` says which',
  })
  async previewRollback(@Param('name', ModelNamePipe) name: string): Promise<RollbackPreviewDto> {
    return RollbackPreviewDto.from(await this.registry.previewRollback(name));
  }

  @Get(':name/aliases')
  @ApiParam(NAME_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({ summary: "A model's aliases and the versions they point at" })
  @ApiOkResponse({ type: [ModelAliasDto] })
  async aliases(@Param('name', ModelNamePipe) name: string): Promise<ModelAliasDto[]> {
    return (await this.registry.listAliases(name)).map(ModelAliasDto.from);
  }

  @Put(':name/aliases/:alias')
  @ApiParam(NAME_PARAM)
  @ApiParam(ALIAS_PARAM)
  @RequireScopes('models:write')
  @ApiOperation({
    summary: 'Point an alias at a version (moving it from the version that held it); champion is what serves',
    description:
      'Recorded in the history with the optional reason. champion has one holder across every model name: the API ' +
      'serves one model. Setting champion first reads the promotion evidence (GET .../promotion-evidence): a ' +
      'version worse than the champion by more than PROMOTION_MARGIN is refused (409 promotion-needs-force, the ' +
      'evidence in the body) unless `force` is true with a `reason`. Without evidence (no training run with a ' +
      'holdout) the promotion proceeds and `promotion.verdict` says no-evidence.',
  })
  @ApiOkResponse({ type: AliasSetDto, description: 'The version the alias now points at' })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: '`errors` names each bad field (`reason` with force)',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No such version' })
  @ApiConflictResponse({
    type: PromotionNeedsForceDto,
    description:
      'promotion-needs-force: worse than the champion beyond PROMOTION_MARGIN (`evidence` holds why); or champion ' +
      'changed while the evidence was read',
  })
  async setAlias(
    @Param('name', ModelNamePipe) name: string,
    @Param('alias', AliasPipe) alias: string,
    @Body() body: SetAliasDto,
    @Principal() principal: Principal,
  ): Promise<AliasSetDto> {
    const promotion =
      alias === CHAMPION
        ? await this.promotions.check(await this.registry.get(name, body.version), body)
        : null;
    const entity = await this.registry.setAlias(name, body.version, alias, {
      changedBy: principal.keyId,
      reason: body.reason ?? null,
      forced: promotion?.forced ?? false,
      expectedChampionId: promotion?.championId,
    });
    return AliasSetDto.fromPromotion(entity, promotion);
  }

  @Delete(':name/aliases/:alias')
  @HttpCode(204)
  @ApiParam(NAME_PARAM)
  @ApiParam(ALIAS_PARAM)
  @RequireScopes('models:write')
  @ApiOperation({ summary: 'Remove an alias (champion cannot be removed: point it elsewhere or roll back)' })
  @ApiNoContentResponse({ description: 'Removed' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'The model has no such alias' })
  @ApiConflictResponse({
    type: ProblemDetails,
    description: 'champion, or the alias no longer points at the given version',
  })
  async removeAlias(
    @Param('name', ModelNamePipe) name: string,
    @Param('alias', AliasPipe) alias: string,
    @Body() body: RemoveAliasDto,
    @Principal() principal: Principal,
  ): Promise<void> {
    await this.registry.removeAlias(
      name,
      alias,
      { changedBy: principal.keyId, reason: body?.reason ?? null },
      body?.version,
    );
  }

  @Get(':name/history')
  @ApiParam(NAME_PARAM)
  @RequireScopes('models:read')
  @ApiOperation({ summary: 'Every alias and stage change of a model, newest first' })
  @ApiOkResponse({ type: HistoryListDto })
  async history(
    @Param('name', ModelNamePipe) name: string,
    @Query() query: HistoryQueryDto,
  ): Promise<HistoryListDto> {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const { items, total } = await this.registry.history(name, limit, offset);
    return { items: items.map(HistoryEntryDto.from), total, limit, offset };
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

  @Patch(':name/versions/:version')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @RequireScopes('models:write')
  @ApiOperation({ summary: "Change a version's description and tags" })
  @ApiOkResponse({ type: ModelVersionDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`errors` names every bad field' })
  async update(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
    @Body() body: UpdateVersionDto,
  ): Promise<ModelVersionDto> {
    return ModelVersionDto.from(await this.registry.updateVersion(name, version, parseVersionPatch(body)));
  }

  @Put(':name/versions/:version/stage')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @RequireScopes('models:write')
  @ApiOperation({
    deprecated: true,
    summary: 'Deprecated: use PUT /v1/models/{name}/aliases/{alias}. Moves a version to a stage',
    description:
      'A layer over aliases: production sets champion (archiving the version that held it), staging sets ' +
      "challenger, archived and none remove the version's aliases. The production version cannot be moved to " +
      'another stage directly (409): promote its replacement or roll back. Responses carry a `Deprecation` ' +
      'header (RFC 9745) and a `Link` to the alias endpoint.',
  })
  @ApiOkResponse({ type: AliasSetDto })
  @ApiConflictResponse({
    type: PromotionNeedsForceDto,
    description:
      'The version is in production and has no replacement; or (production) promotion-needs-force as for champion, ' +
      'with `evidence`',
  })
  async setStage(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
    @Body() body: SetStageDto,
    @Principal() principal: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AliasSetDto> {
    const alias = body.stage === 'production' ? CHAMPION : body.stage === 'staging' ? CHALLENGER : undefined;
    const successor = `/v1/models/${encodeURIComponent(name)}/aliases${alias ? `/${alias}` : ''}`;
    void reply
      .header('deprecation', `@${STAGES_DEPRECATED_AT}`)
      .header('link', `<${successor}>; rel="successor-version"`);
    const promotion =
      body.stage === 'production'
        ? await this.promotions.check(await this.registry.get(name, version), body)
        : null;
    const entity = await this.registry.setStage(name, version, body.stage, principal.keyId, {
      reason: body.reason ?? null,
      forced: promotion?.forced ?? false,
      expectedChampionId: promotion?.championId,
    });
    return AliasSetDto.fromPromotion(entity, promotion);
  }
}
