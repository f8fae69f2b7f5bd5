import { Module } from '@nestjs/common';
import { BatchQueueService } from './batch-queue.service';

/** The batch queue for producers and observers (API, health, workers). */
@Module({ providers: [BatchQueueService], exports: [BatchQueueService] })
export class BatchQueueModule {}
