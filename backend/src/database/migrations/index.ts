import { ModelRegistry1732330000000 } from './1732330000000-model-registry';
import { ApiKeys1732330000001 } from './1732330000001-api-keys';
import { BatchJobs1732331000000 } from '../../batch/shared/migrations/1732331000000-batch-jobs';
import { ModelVersionChecksums1764690000000 } from './1764690000000-model-version-checksums';
import { BatchIdempotencyFingerprint1732332000001 } from '../../batch/shared/migrations/1732332000001-batch-idempotency-fingerprint';
import { Datasets1732332000000 } from '../../dataset/migrations/1732332000000-datasets';
import { BatchDatasets1764700000000 } from '../../batch/shared/migrations/1764700000000-batch-datasets';
import { OneProductionVersion1765000000000 } from './1765000000000-one-production-version';
import { BatchJobEvaluation1765100000000 } from '../../batch/shared/migrations/1765100000000-batch-job-evaluation';
import { ModelAliases1765200000000 } from '../../model-registry/migrations/1765200000000-model-aliases';
import { JobLifecycleAndShards1765300000000 } from '../../batch/shared/migrations/1765300000000-job-lifecycle-and-shards';
import { PromotionEvidence1765400000000 } from '../../model-registry/migrations/1765400000000-promotion-evidence';
import { TrainingRuns1765300000000 } from '../../training/shared/migrations/1765300000000-training-runs';

/** Every migration, in order. A module that adds tables adds its migration here. */
export const MIGRATIONS = [
  ModelRegistry1732330000000,
  ApiKeys1732330000001,
  BatchJobs1732331000000,
  Datasets1732332000000,
  BatchIdempotencyFingerprint1732332000001,
  ModelVersionChecksums1764690000000,
  BatchDatasets1764700000000,
  OneProductionVersion1765000000000,
  BatchJobEvaluation1765100000000,
  ModelAliases1765200000000,
  JobLifecycleAndShards1765300000000,
  // Same timestamp as the batch migration it was written beside; independent tables, runs after it.
  TrainingRuns1765300000000,
  PromotionEvidence1765400000000,
];
