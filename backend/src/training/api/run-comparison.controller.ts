import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Principal, RequireScopes } from '../../auth';
import { ProblemDetails } from '../../common/problem';
import { MODEL_NAME, ModelNamePipe } from '../../model-registry/registry.params';
import { ComparisonDto, CompareRunsQueryDto, CompareVersionsQueryDto } from './run-comparison.dto';
import { RunComparisonService } from './run-comparison.service';

const WHAT =
  'Metrics with deltas against the first (the baseline), the parameters that differ (all with allParams=true), holdout ' +
  'error by month and by region (and by both with cells=true) from each registered version’s evaluation cells, and each tuning history.';

/** Compare training runs, or versions of a model, side by side. */
@Controller('v1')
export class RunComparisonController {
  constructor(private readonly comparison: RunComparisonService) {}

  @Get('training-runs/compare')
  @ApiTags('training')
  @RequireScopes('train')
  @ApiOperation({
    summary: 'Compare 2 to 10 training runs side by side',
    description: `${WHAT} A run’s error comes from the version it registered (none yet: null). Runs of other keys are unknown unless the key is admin.`,
  })
  @ApiOkResponse({ type: ComparisonDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'Fewer than 2 or more than 10 ids, a repeated or malformed id' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'Unknown runs: `detail` names each' })
  compareRuns(@Query() query: CompareRunsQueryDto, @Principal() principal: Principal): Promise<ComparisonDto> {
    return this.comparison.compareRuns(principal, query.ids, query);
  }

  @Get('models/:name/compare')
  @ApiTags('models')
  @RequireScopes('models:read')
  @ApiParam({ name: 'name', schema: { type: 'string', pattern: MODEL_NAME.source } })
  @ApiOperation({ summary: 'Compare 2 to 10 versions of a model side by side', description: WHAT })
  @ApiOkResponse({ type: ComparisonDto })
  @ApiBadRequestResponse({ type: ProblemDetails, description: 'Fewer than 2 or more than 10 versions, a repeated or malformed one' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'Unknown versions: `detail` names each' })
  compareVersions(
    @Param('name', ModelNamePipe) name: string,
    @Query() query: CompareVersionsQueryDto,
  ): Promise<ComparisonDto> {
    return this.comparison.compareVersions(name, query.versions, query);
  }
}
