import { ref, shallowRef, type Ref, type ShallowRef } from 'vue';

export interface Resource<T> {
  data: ShallowRef<T | undefined>;
  /** True while the first load (or a non-quiet reload) runs. */
  loading: Ref<boolean>;
  error: Ref<string | null>;
  reload: (options?: { quiet?: boolean }) => Promise<void>;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Loads data with loading and error state; a late answer of an older load never overwrites a newer one. */
export function useResource<T>(load: () => Promise<T>, options: { immediate?: boolean } = {}): Resource<T> {
  const immediate = options.immediate ?? true;
  const data = shallowRef<T>();
  const loading = ref(immediate);
  const error = ref<string | null>(null);
  let latest = 0;

  async function reload({ quiet = false } = {}): Promise<void> {
    const mine = ++latest;
    if (!quiet) loading.value = true;
    try {
      const value = await load();
      if (mine === latest) {
        data.value = value;
        error.value = null;
      }
    } catch (e) {
      if (mine === latest) error.value = messageOf(e);
    } finally {
      if (mine === latest) loading.value = false;
    }
  }

  if (immediate) void reload();
  return { data, loading, error, reload };
}
