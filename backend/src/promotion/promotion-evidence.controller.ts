import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../auth';
import { ProblemDetails } from '../common/problem';
import { MAX_REFERENCE_LENGTH, MODEL_REFERENCE_PATTERN } from '../model-registry/model-reference';
import { MAX_VERSION, MODEL_NAME, ModelNamePipe, VersionPipe } from '../model-registry/registry.params';
import { RegistryService } from '../model-registry/registry.service';
import { PromotionEvidenceDto } from './promotion-evidence.dto';
import { PromotionEvidenceService } from './promotion-evidence.service';

/** What ModelNamePipe and VersionPipe enforce, in the OpenAPI document. */
const NAME_PARAM = { name: 'name', type: 'string', pattern: MODEL_NAME.source } as const;
const VERSION_PARAM = { name: 'version', type: 'integer', minimum: 1, maximum: MAX_VERSION } as const;

@ApiTags('models')
@Controller('v1/models')
export class PromotionEvidenceController {
  constructor(
    private readonly registry: RegistryService,
    private readonly evidence: PromotionEvidenceService,
  ) {}

  @Get(':name/versions/:version/promotion-evidence')
  @RequireScopes('models:read')
  @ApiParam(NAME_PARAM)
  @ApiParam(VERSION_PARAM)
  @ApiQuery({
    name: 'against',
    required: false,
    type: 'string',
    maxLength: MAX_REFERENCE_LENGTH,
    pattern: MODEL_REFERENCE_PATTERN,
    example: 'housets-xgboost/2',
    description: 'Compare with this version (name/version or name@alias) instead of the current champion',
  })
  @ApiOperation({
    summary: 'Evidence for promoting a version: it and the champion, each scored on both training holdouts',
    description:
      "The candidate is scored on the champion's holdout rows and the champion on the candidate's (each also on " +
      'its own), from their training runs (same spec required). Computed once per pair and kept. Without a run ' +
      'with a holdout, or with different specs, `verdict` is no-evidence and `missing` says what is missing.',
  })
  @ApiOkResponse({ type: PromotionEvidenceDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: '`against` is not a model reference' })
  @ApiNotFoundResponse({
    type: ProblemDetails,
    description: 'No such version (or nothing matches `against`)',
  })
  async get(
    @Param('name', ModelNamePipe) name: string,
    @Param('version', VersionPipe) version: number,
    @Query('against') against?: string,
  ): Promise<PromotionEvidenceDto> {
    const candidate = await this.registry.get(name, version);
    const champion =
      against === undefined ? undefined : await this.registry.resolveReference(against, 'against');
    return PromotionEvidenceDto.from(await this.evidence.evidence(candidate, champion));
  }
}
