import { Body, Controller, HttpCode, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RequireScopes } from '../auth';
import { ProblemDetails } from '../common/problem';
import {
  BulkPredictionRequestDto,
  BulkPredictionResponseDto,
  PredictionRequestDto,
  PredictionResponseDto,
} from './prediction.dto';
import { PredictionService } from './prediction.service';
import { parseExplainMode } from './explain-mode';

const EXPLAIN_QUERY = {
  name: 'explain',
  required: false,
  enum: ['true', 'false', 'all'],
  description:
    'true: add the exact TreeSHAP contributions of the top 10 input columns (and the rest summed) in model and price terms; all: every column and every model input',
} as const;
import { parseBulkPredictionBody, parsePredictionBody } from './prediction.envelope';

@ApiTags('predictions')
@Controller('v1/predictions')
export class PredictionController {
  constructor(private readonly predictions: PredictionService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('predict')
  @ApiOperation({
    summary: 'Predict the price of one record with the production model (or the version `model` names)',
  })
  @ApiQuery(EXPLAIN_QUERY)
  @ApiOkResponse({ type: PredictionResponseDto })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'Invalid record or model reference: `errors` names every bad field',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No model version matches `model`' })
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: 'No model is loaded' })
  async predict(
    @Body() body: PredictionRequestDto,
    @Req() request: FastifyRequest,
    @Query('explain') explain?: unknown,
  ): Promise<PredictionResponseDto> {
    const envelope = parsePredictionBody(body);
    const { price, interval, explanation, model, warnings } = await this.predictions.predictOne(
      envelope.body,
      parseExplainMode(explain),
      envelope.model,
    );
    return {
      price,
      interval,
      ...(explanation !== undefined && { explanation }),
      warnings,
      model: { name: model.version.name, version: model.version.version },
      requestId: String(request.id),
    };
  }

  @Post('bulk')
  @HttpCode(200)
  @RequireScopes('predict')
  @ApiOperation({
    summary: "Predict up to 1,000 records; invalid records get their errors beside the others' prices",
  })
  @ApiQuery(EXPLAIN_QUERY)
  @ApiOkResponse({ type: BulkPredictionResponseDto })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'The envelope is invalid (not an array, empty, over 1,000, a malformed model reference)',
  })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No model version matches `model`' })
  @ApiServiceUnavailableResponse({ type: ProblemDetails })
  async bulk(
    @Body() body: BulkPredictionRequestDto,
    @Req() request: FastifyRequest,
    @Query('explain') explain?: unknown,
  ): Promise<BulkPredictionResponseDto> {
    const envelope = parseBulkPredictionBody(body);
    const { results, model, failed } = await this.predictions.predictMany(
      envelope.body,
      parseExplainMode(explain),
      envelope.model,
    );
    return {
      model: { name: model.version.name, version: model.version.version },
      requestId: String(request.id),
      succeeded: results.length - failed,
      failed,
      results,
    };
  }
}
