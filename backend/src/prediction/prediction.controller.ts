import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
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
import { parseBulkPredictionBody, parsePredictionBody } from './prediction.envelope';

@ApiTags('predictions')
@Controller('v1/predictions')
export class PredictionController {
  constructor(private readonly predictions: PredictionService) {}

  @Post()
  @HttpCode(200)
  @RequireScopes('predict')
  @ApiOperation({ summary: 'Predict the price of one record with the production model' })
  @ApiOkResponse({ type: PredictionResponseDto })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'Invalid record: `errors` names every bad field',
  })
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: 'No model is loaded' })
  async predict(
    @Body() body: PredictionRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<PredictionResponseDto> {
    const { price, interval, model, warnings } = await this.predictions.predictOne(
      parsePredictionBody(body),
    );
    return {
      price,
      interval,
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
  @ApiOkResponse({ type: BulkPredictionResponseDto })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'The envelope is invalid (not an array, empty, over 1,000)',
  })
  @ApiServiceUnavailableResponse({ type: ProblemDetails })
  async bulk(
    @Body() body: BulkPredictionRequestDto,
    @Req() request: FastifyRequest,
  ): Promise<BulkPredictionResponseDto> {
    const { results, model, failed } = await this.predictions.predictMany(parseBulkPredictionBody(body));
    return {
      model: { name: model.version.name, version: model.version.version },
      requestId: String(request.id),
      succeeded: results.length - failed,
      failed,
      results,
    };
  }
}
