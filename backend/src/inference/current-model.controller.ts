import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth';
import { ProblemDetails } from '../common/problem';
import { noModel } from './no-model.problem';
import type { ModelMetricsDto } from '../model-registry/registry.dto';
import { CurrentModelDto } from './current-model.dto';
import { recordJsonSchema, type RecordJsonSchema } from './record-schema';
import { InferenceService } from './inference.service';

@ApiTags('models')
@Controller('v1/models')
export class CurrentModelController {
  constructor(private readonly inference: InferenceService) {}

  @Get('current')
  @RequireScopes()
  @ApiOperation({ summary: 'The model version this API process serves, with its input signature' })
  @ApiOkResponse({ type: CurrentModelDto })
  @ApiServiceUnavailableResponse({
    type: ProblemDetails,
    description: 'No model is loaded; `detail` says why',
  })
  current(): CurrentModelDto {
    const model = this.inference.model();
    if (!model) throw noModel(this.inference);
    const { manifest, version } = model;
    return {
      name: version.name,
      version: version.version,
      packageVersion: version.packageVersion,
      loadedAt: new Date(model.loadedAt).toISOString(),
      target: manifest.target.column,
      signature: manifest.signature,
      featureNames: manifest.features.names,
      metrics: manifest.metrics as unknown as ModelMetricsDto,
      exampleRecord: manifest.parity.records[0] ?? {},
    };
  }

  @Get('current/schema')
  @RequireScopes()
  @ApiOperation({
    summary: 'JSON Schema of the prediction `record` for the served model (its fields, types and ranges)',
    description:
      "Generated from the served version's signature, so it changes when another version is promoted. " +
      '`x-observed` is the range seen in training.',
  })
  @ApiOkResponse({
    description: 'A JSON Schema (draft 2020-12) object',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiServiceUnavailableResponse({ type: ProblemDetails, description: 'No model is loaded' })
  schema(): RecordJsonSchema {
    const model = this.inference.model();
    if (!model) throw noModel(this.inference);
    return recordJsonSchema(model.version, model.manifest.signature);
  }
}
