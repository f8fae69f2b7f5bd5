import { Module } from '@nestjs/common';
import { DriftRecorder } from './drift-recorder.service';
import { DriftRepository } from './drift.repository';

/** What every scoring process needs (API and batch worker): the recorder and where its counts go. */
@Module({ providers: [DriftRepository, DriftRecorder], exports: [DriftRecorder, DriftRepository] })
export class DriftRecordingModule {}
