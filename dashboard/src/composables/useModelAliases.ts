import { watch, type Ref } from 'vue';
import type { ModelVersion, RollbackPreview } from '../api/types';
import { useApi } from './useApi';
import { messageOf, useResource } from './useResource';

/** Alias names the API accepts (the same rule as the backend's ALIAS_PATTERN). */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** A model's history (newest first), reloaded when the model changes. */
export function useModelHistory(name: Ref<string | undefined>) {
  const { client, unwrap } = useApi();
  const history = useResource(
    async () =>
      name.value
        ? unwrap(
            client.GET('/v1/models/{name}/history', {
              params: { path: { name: name.value }, query: { limit: 50 } },
            }),
          )
        : undefined,
    { immediate: false },
  );
  watch(name, (n) => n && void history.reload(), { immediate: true });
  return history;
}

/** The registry's write calls the Models view makes: aliases, description and tags, rollback, upload. */
export function useModelChanges() {
  const { client, unwrap } = useApi();
  const path = (v: Pick<ModelVersion, 'name'>) => ({ name: v.name });

  /** `force`: promote to champion despite evidence that it is worse (the API then needs a reason). */
  const setAlias = (v: ModelVersion, alias: string, reason?: string, force?: boolean) =>
    unwrap(
      client.PUT('/v1/models/{name}/aliases/{alias}', {
        params: { path: { ...path(v), alias } },
        body: { version: v.version, ...(reason && { reason }), ...(force && { force }) },
      }),
    );

  /** The evidence for promoting `v` over the current champion (each scored on both holdouts). */
  const promotionEvidence = (v: ModelVersion) =>
    unwrap(
      client.GET('/v1/models/{name}/versions/{version}/promotion-evidence', {
        params: { path: { name: v.name, version: v.version } },
      }),
    );

  const removeAlias = (v: ModelVersion, alias: string, reason?: string) =>
    unwrap(
      client.DELETE('/v1/models/{name}/aliases/{alias}', {
        params: { path: { ...path(v), alias } },
        body: { version: v.version, ...(reason && { reason }) },
      }),
    );

  /** Saves a description and the tags as edited: keys no longer present are removed (null). */
  const saveDetails = (v: ModelVersion, description: string, tags: Record<string, string>) => {
    const patch: Record<string, string | null> = { ...tags };
    for (const key of Object.keys(v.tags)) if (!(key in tags)) patch[key] = null;
    return unwrap(
      client.PATCH('/v1/models/{name}/versions/{version}', {
        params: { path: { name: v.name, version: v.version } },
        body: { description: description.trim() === '' ? null : description, tags: patch },
      }),
    );
  };

  /** What a rollback would bring back, or why none can (the API's 409 in words). */
  async function previewRollback(name: string): Promise<RollbackPreview | { refused: string }> {
    try {
      return await unwrap(client.GET('/v1/models/{name}/rollback', { params: { path: { name } } }));
    } catch (e) {
      return { refused: messageOf(e) };
    }
  }

  const rollback = (expectedVersion: number, reason?: string) =>
    unwrap(client.POST('/v1/models/rollback', { body: { expectedVersion, ...(reason && { reason }) } }));

  const upload = (file: File) =>
    unwrap(
      client.POST('/v1/models', {
        body: { package: file },
        bodySerializer: () => {
          const form = new FormData();
          form.append('package', file, file.name);
          return form;
        },
      }),
    );

  return { setAlias, promotionEvidence, removeAlias, saveDetails, previewRollback, rollback, upload };
}
