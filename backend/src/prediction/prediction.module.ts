import { Module } from '@nestjs/common';
import { InferenceModule } from '../inference/inference.module';
import { DriftRecordingModule } from '../monitoring/drift-recording.module';
import { PredictionController } from './prediction.controller';
import { PredictionService } from './prediction.service';

@Module({
  imports: [InferenceModule, DriftRecordingModule],
  providers: [PredictionService],
  controllers: [PredictionController],
})
export class PredictionModule {}
