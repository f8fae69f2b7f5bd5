import { computed, watch, type Ref } from 'vue';
import type { ModelEvaluation, ModelVersion } from '../api/types';
import { useApi } from './useApi';
import { useResource } from './useResource';

/** The registered model versions (newest first) and the one to show first: production, else the newest. */
export function useModelVersions() {
  const { client, unwrap } = useApi();
  const versions = useResource(() => unwrap(client.GET('/v1/models')));
  const production = computed(() => versions.data.value?.find((v) => v.stage === 'production'));
  const preferred = computed(() => production.value ?? versions.data.value?.[0]);
  return { versions, production, preferred };
}

// A version's evaluation never changes once registered (a few hundred kB): it is fetched once per
// session and shared by Explore and Models. A failed load is forgotten so that Retry fetches again.
const CACHE_SIZE = 4;
const evaluations = new Map<string, Promise<ModelEvaluation>>();

function cachedEvaluation(v: ModelVersion): Promise<ModelEvaluation> {
  const hit = evaluations.get(v.id);
  if (hit) return hit;
  const { client, unwrap } = useApi();
  const path = { name: v.name, version: v.version };
  const pending = unwrap(client.GET('/v1/models/{name}/versions/{version}/evaluation', { params: { path } }));
  pending.catch(() => evaluations.delete(v.id));
  evaluations.set(v.id, pending);
  if (evaluations.size > CACHE_SIZE) evaluations.delete(evaluations.keys().next().value!);
  return pending;
}

/** Forgets the cached evaluations (on sign-out: another key may not read them). */
export function clearEvaluationCache(): void {
  evaluations.clear();
}

/** The holdout evaluation (cells, points, importances, trials) of a version, reloaded when it changes. */
export function useModelEvaluation(version: Ref<ModelVersion | undefined>) {
  const evaluation = useResource<ModelEvaluation | undefined>(
    async () => (version.value ? cachedEvaluation(version.value) : undefined),
    { immediate: false },
  );
  watch(
    () => version.value?.id,
    (id) => id && void evaluation.reload(),
    { immediate: true },
  );
  return evaluation;
}
