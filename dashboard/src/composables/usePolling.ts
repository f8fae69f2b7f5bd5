import { onBeforeUnmount, watch, type Ref } from 'vue';

/**
 * Calls `tick` every `intervalMs` while `active` is true: the next call is planned when the previous one
 * has finished, so slow answers never pile up. Stops when the component unmounts.
 */
export function usePolling(tick: () => Promise<unknown>, intervalMs: number, active: Ref<boolean>): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  function plan() {
    clearTimeout(timer);
    timer = undefined;
    if (stopped || !active.value) return;
    timer = setTimeout(async () => {
      try {
        await tick();
      } finally {
        plan();
      }
    }, intervalMs);
  }

  watch(active, (on) => (on ? plan() : clearTimeout(timer)), { immediate: true });
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
  });
}
