import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problem';
import type { InferenceService } from './inference.service';

/** 503 with the reason no model is being served (still loading, none in production, failed to load). */
export function noModel(inference: InferenceService): ProblemException {
  const state = inference.state();
  const reason = 'reason' in state ? state.reason : 'the model is still loading';
  return new ProblemException(
    HttpStatus.SERVICE_UNAVAILABLE,
    'no-model',
    'No model loaded',
    reason,
    undefined,
    { 'retry-after': '5' },
  );
}
