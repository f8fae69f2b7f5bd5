import { InputError } from '@housing/ml';
import { ProblemException } from '../common/problem';
import { ArtifactNotFoundError, InvalidArtifactKeyError } from '../storage/artifact-store';

/** Why a running attempt was told to stop (the reason given to Worker.cancelJob). */
export type AbortReason = 'cancelled' | 'lost' | 'shutdown';

/** Thrown inside an attempt that must stop: cancelled by the user, lost its job, or the worker is shutting down. */
export class AttemptAborted extends Error {
  constructor(readonly reason: AbortReason) {
    super(
      reason === 'cancelled'
        ? 'the job was cancelled'
        : reason === 'shutdown'
          ? 'the worker is shutting down; the job goes back to the queue'
          : 'this attempt lost the job (its queue lock expired or Redis lost it); another attempt takes over',
    );
  }
}

export function abortReasonOf(signal: AbortSignal | undefined): AbortReason | undefined {
  if (!signal?.aborted) return undefined;
  const reason = signal.reason as unknown;
  return reason === 'cancelled' || reason === 'shutdown' ? reason : 'lost';
}

/** A failure that retrying cannot fix (bad or missing input, no model): fail the job at once with this reason. */
export class PermanentJobError extends Error {}

/** Opens a job's input; a missing input is permanent (other missing artifacts, e.g. a model file being restored, are retried). */
export async function openInput<T>(open: () => Promise<T>, key: string): Promise<T> {
  try {
    return await open();
  } catch (error) {
    if (error instanceof ArtifactNotFoundError)
      throw new PermanentJobError(`the input ${key} does not exist (any more)`);
    throw error;
  }
}

/**
 * How a failed attempt ends: `permanent` fails the job now (its reason in the status), `transient`
 * is retried with backoff while attempts remain (storage, database or Redis trouble, a model that
 * would not load).
 */
export function classify(error: unknown): 'aborted' | 'permanent' | 'transient' {
  if (error instanceof AttemptAborted) return 'aborted';
  if (
    error instanceof PermanentJobError ||
    error instanceof InputError ||
    error instanceof InvalidArtifactKeyError ||
    (error instanceof ProblemException && error.getStatus() < 500)
  ) {
    return 'permanent';
  }
  return 'transient';
}

/** The reason shown on a failed job for an error. */
export function reasonOf(error: unknown): string {
  if (error instanceof ArtifactNotFoundError) return `artifact ${error.key} not found`;
  if (error instanceof InputError) return `unreadable input: ${error.message}`;
  return (error as Error)?.message ?? String(error);
}
