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

/** The holdout evaluation (cells, points, importances, trials) of a version, reloaded when it changes. */
export function useModelEvaluation(version: Ref<ModelVersion | undefined>) {
  const { client, unwrap } = useApi();
  const evaluation = useResource<ModelEvaluation | undefined>(
    async () => {
      const v = version.value;
      if (!v) return undefined;
      const path = { name: v.name, version: v.version };
      return unwrap(client.GET('/v1/models/{name}/versions/{version}/evaluation', { params: { path } }));
    },
    { immediate: false },
  );
  watch(
    () => version.value?.id,
    (id) => id && void evaluation.reload(),
    { immediate: true },
  );
  return evaluation;
}
