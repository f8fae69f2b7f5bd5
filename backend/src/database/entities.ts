import { ApiKeyEntity } from '../auth/api-key.entity';
import { BatchEvaluationEntity, BatchJobEntity, BatchJobShardEntity } from '../batch/shared/batch.entities';
import { DatasetEntity } from '../dataset/dataset.entity';
import { PromotionEvidenceEntity } from '../promotion/promotion-evidence.entity';
import { TrainingRunEntity } from '../training/shared/training-run.entity';
import {
  ModelAliasEntity,
  ModelStageChangeEntity,
  ModelVersionEntity,
} from '../model-registry/model-version.entity';

/** Every TypeORM entity. A module that adds an entity adds it here. */
export const ENTITIES = [
  ModelVersionEntity,
  ModelStageChangeEntity,
  ModelAliasEntity,
  ApiKeyEntity,
  BatchJobEntity,
  BatchEvaluationEntity,
  BatchJobShardEntity,
  DatasetEntity,
  TrainingRunEntity,
  PromotionEvidenceEntity,
];
