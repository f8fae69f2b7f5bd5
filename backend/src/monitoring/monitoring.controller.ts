import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RequireScopes } from '../auth';
import { ProblemDetails } from '../common/problem';
import { DriftQueryDto, DriftResponseDto } from './monitoring.dto';
import { MonitoringService } from './monitoring.service';

@ApiTags('monitoring')
@Controller('v1/monitoring')
export class MonitoringController {
  constructor(private readonly monitoring: MonitoringService) {}

  @Get('drift')
  @RequireScopes('models:read')
  @ApiOperation({
    summary: 'Whether what a model scores still looks like its training data',
    description:
      'Every API process and batch job bins what it scores like the package’s training distribution (deciles for numbers, ' +
      'top categories, missing) and adds the counts up in Redis per time bucket; this reports PSI per feature, unseen ' +
      'categories, values outside the training range and the predicted-price distribution over the window, with a series per bucket.',
  })
  @ApiOkResponse({ type: DriftResponseDto })
  @ApiBadRequestResponse({ type: ProblemDetails })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No such version, or no production version' })
  drift(@Query() query: DriftQueryDto): Promise<DriftResponseDto> {
    return this.monitoring.drift(query);
  }
}
