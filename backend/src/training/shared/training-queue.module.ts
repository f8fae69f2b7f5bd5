import { Module } from '@nestjs/common';
import { TrainingQueueService } from './training-queue.service';

/** The training queue for producers and observers (API, training workers). */
@Module({ providers: [TrainingQueueService], exports: [TrainingQueueService] })
export class TrainingQueueModule {}
