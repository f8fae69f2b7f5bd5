import { ref, watch, type Ref } from 'vue';
import type { Dataset, ModelVersion } from '../api/types';
import { useApi } from './useApi';
import { useResource } from './useResource';

/**
 * The registered dataset a version was trained on: the one whose sha256 is the lineage's
 * datasetSha256 (null when that file was never registered), reloaded when the version changes.
 */
export function useTrainingDataset(version: Ref<ModelVersion | undefined>) {
  const { client, unwrap } = useApi();
  const sha256 = () => {
    const value = version.value?.lineage?.datasetSha256;
    return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
  };
  const found = useResource<Dataset | null>(
    async () => {
      const wanted = sha256();
      if (!wanted) return null;
      const list = await unwrap(client.GET('/v1/datasets', { params: { query: { sha256: wanted } } }));
      return list.items[0] ?? null;
    },
    { immediate: false },
  );
  watch(
    () => version.value?.id,
    () => void found.reload(),
    { immediate: true },
  );
  return found;
}

/** One dataset's detail (profile, models trained on it), loaded when `open` is called. */
export function useDatasetDetail() {
  const { client, unwrap, saveFile } = useApi();
  const id = ref<string | null>(null);
  const detail = useResource<Dataset | undefined>(
    async () =>
      id.value ? unwrap(client.GET('/v1/datasets/{id}', { params: { path: { id: id.value } } })) : undefined,
    { immediate: false },
  );
  async function open(datasetId: string): Promise<void> {
    id.value = datasetId;
    await detail.reload();
  }
  function close(): void {
    id.value = null;
    detail.data.value = undefined;
  }
  /** Downloads the CSV through the API (with the key header), named by its checksum. */
  function download(dataset: Dataset): Promise<void> {
    return saveFile(
      client.GET('/v1/datasets/{id}/content', { params: { path: { id: dataset.id } }, parseAs: 'blob' }),
      dataset.fileName ?? `${dataset.sha256}.csv`,
    );
  }
  return { id, detail, open, close, download };
}
