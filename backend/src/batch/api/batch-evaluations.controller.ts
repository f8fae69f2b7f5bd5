import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Principal, RequireScopes } from '../../auth';
import { ProblemDetails } from '../../common/problem';
import { batchKeys } from '../shared/batch.constants';
import {
  BatchEvaluationDto,
  BatchEvaluationListDto,
  CreateBatchEvaluationDto,
  ListQueryDto,
} from './batch.dto';
import type { BatchEvaluationEntity } from '../shared/batch-evaluation.entity';
import { BatchEvaluationsService } from './batch-evaluations.service';
import { BatchJobsService } from './batch-jobs.service';

@ApiTags('batch')
@Controller('v1/batch-evaluations')
export class BatchEvaluationsController {
  constructor(
    private readonly evaluations: BatchEvaluationsService,
    private readonly jobs: BatchJobsService,
  ) {}

  private dto(row: BatchEvaluationEntity): BatchEvaluationDto {
    return BatchEvaluationDto.from(
      row,
      (key) => this.jobs.uri(key),
      row.errorsKey ?? batchKeys.monthlyErrors(row.id),
    );
  }

  @Post()
  @HttpCode(202)
  @RequireScopes('batch')
  @ApiOperation({
    summary: 'Run the monthly batch now',
    description:
      'Scores the dataset with the production model month by month (one prediction file per month of the date column) and, ' +
      'where actual prices are present, evaluates MAE, RMSE and % errors by month and region. The same run BATCH_MONTHLY_CRON schedules. ' +
      'The input is `inputUri` (a CSV in the artifact store) or `datasetId` (a registered dataset, recorded on the run; ' +
      'the dataset cannot be deleted while a run references it).',
  })
  @ApiAcceptedResponse({ type: BatchEvaluationDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiConflictResponse({ type: ProblemDetails, description: 'No model version in production' })
  @ApiUnprocessableEntityResponse({
    type: ProblemDetails,
    description: 'The input URI is outside the artifact store or missing',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No dataset with that datasetId' })
  async create(
    @Body() body: CreateBatchEvaluationDto,
    @Principal() principal: Principal,
  ): Promise<BatchEvaluationDto> {
    return this.dto(await this.evaluations.create(body, principal));
  }

  @Get()
  @RequireScopes('batch')
  @ApiOperation({
    summary:
      "Monthly batch runs with their evaluation summaries, newest first (the key's own; every run, scheduled ones too, for admin keys)",
  })
  @ApiOkResponse({ type: BatchEvaluationListDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  async list(
    @Query() query: ListQueryDto,
    @Principal() principal: Principal,
  ): Promise<BatchEvaluationListDto> {
    const { rows, total, limit, offset } = await this.evaluations.list(principal, query);
    return { items: rows.map((r) => this.dto(r)), total, limit, offset };
  }

  @Get(':id')
  @RequireScopes('batch')
  @ApiOperation({
    summary: 'One monthly batch run: status, monthly files and the evaluation by month and region',
  })
  @ApiParam({ name: 'id', format: 'uuid', description: 'The run id' })
  @ApiOkResponse({ type: BatchEvaluationDto })
  @ApiNotFoundResponse({ type: ProblemDetails })
  async get(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Principal() principal: Principal,
  ): Promise<BatchEvaluationDto> {
    return this.dto(await this.evaluations.get(principal, id));
  }
}
