import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InferenceModule } from '../inference/inference.module';
import { ModelRegistryModule } from '../model-registry/model-registry.module';
import { TrainingRunEntity } from '../training/shared/training-run.entity';
import { TrainingRunsRepository } from '../training/shared/training-runs.repository';
import { EvidencePromotionChecker } from './promotion-checker';
import { PromotionEvidenceController } from './promotion-evidence.controller';
import { PromotionEvidenceEntity } from './promotion-evidence.entity';
import { PromotionEvidenceService } from './promotion-evidence.service';

/** Promotion with evidence: GET .../promotion-evidence and the check every promotion to champion passes. */
@Module({
  imports: [
    TypeOrmModule.forFeature([PromotionEvidenceEntity, TrainingRunEntity]),
    ModelRegistryModule,
    InferenceModule,
  ],
  controllers: [PromotionEvidenceController],
  providers: [PromotionEvidenceService, EvidencePromotionChecker, TrainingRunsRepository],
  exports: [PromotionEvidenceService],
})
export class PromotionModule {}
