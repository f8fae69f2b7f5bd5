import type { ModelManifest } from '../package/manifest';
import type { TrialRecord } from './progress-json';
import { endpoint, failure, type ApiOptions } from './dataset';

/** What `ml train --server` records about a run it trained offline (the `run` part of the request). */
export interface RecordedRun {
  specName: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  trials: TrialRecord[];
  datasetSha256: string;
  durationMs: number;
  logTail: string;
  options: Record<string, unknown>;
  mlflowRunId?: string;
}

export function recordedRun(
  manifest: ModelManifest,
  extra: {
    cv: unknown;
    trials: TrialRecord[];
    durationMs: number;
    logTail: string;
    options: Record<string, unknown>;
    mlflowRunId?: string;
  },
): RecordedRun {
  return {
    specName: manifest.spec.name,
    params: manifest.hyperparameters,
    metrics: { ...manifest.metrics, cv: extra.cv ?? null },
    trials: extra.trials,
    datasetSha256: manifest.lineage.datasetSha256,
    durationMs: Math.round(extra.durationMs),
    logTail: extra.logTail.slice(-60_000),
    options: extra.options,
    ...(extra.mlflowRunId !== undefined && { mlflowRunId: extra.mlflowRunId }),
  };
}

/**
 * Records a run on a server: POST /v1/training-runs/recorded with the run as JSON and the package
 * archive. The server registers the package as a new version (not promoted). Returns the run's id and
 * the version; throws with the server's problem detail (never the key) when refused.
 */
export async function recordTrainingRun(
  options: ApiOptions & { run: RecordedRun; archive: Buffer },
): Promise<{ id: string; model: { name: string; version: number } | null }> {
  const form = new FormData();
  form.append('run', JSON.stringify(options.run));
  form.append('package', new Blob([new Uint8Array(options.archive)], { type: 'application/gzip' }), 'package.tar.gz');
  const response = await fetch(endpoint(options, 'v1/training-runs/recorded'), {
    method: 'POST',
    headers: { 'x-api-key': options.key },
    body: form,
    signal: AbortSignal.timeout(120_000),
  });
  if (response.status !== 201) throw await failure(response, 'recording the run failed');
  return (await response.json()) as { id: string; model: { name: string; version: number } | null };
}
