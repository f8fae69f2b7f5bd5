import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BatchEvaluationEntity } from '../batch/shared/batch-evaluation.entity';
import { ModelVersionEntity } from '../model-registry/model-version.entity';
import { DatasetController } from './dataset.controller';
import { DatasetLocks } from './dataset-locks';
import { DatasetEntity } from './dataset.entity';
import { DatasetRepository } from './dataset.repository';
import { DatasetService } from './dataset.service';

/** Datasets versioned like code: content-addressed, immutable CSVs with their profile (README "Operations"). */
@Module({
  imports: [TypeOrmModule.forFeature([DatasetEntity, ModelVersionEntity, BatchEvaluationEntity])],
  providers: [DatasetService, DatasetRepository, DatasetLocks],
  controllers: [DatasetController],
  exports: [DatasetService],
})
export class DatasetModule {}
