import { Module } from '@nestjs/common';
import { InferenceModule } from '../inference/inference.module';
import { PredictionController } from './prediction.controller';
import { PredictionService } from './prediction.service';

@Module({ imports: [InferenceModule], providers: [PredictionService], controllers: [PredictionController] })
export class PredictionModule {}
