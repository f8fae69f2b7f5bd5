import { reactive, ref, shallowRef } from 'vue';
import { messageOf } from './useResource';

/**
 * An action behind a confirmation dialog: `ask(subject)` opens it, `confirm()` runs the action (the
 * dialog closes when it succeeds, and shows the error in plain words when it fails), `cancel()` closes it.
 */
export function useConfirmedAction<T>(run: (subject: T) => Promise<void>) {
  const pending = shallowRef<T | null>(null);
  const busy = ref(false);
  const error = ref<string | null>(null);

  function ask(subject: T): void {
    error.value = null;
    pending.value = subject;
  }

  function cancel(): void {
    if (!busy.value) pending.value = null;
  }

  async function confirm(): Promise<void> {
    const subject = pending.value;
    if (subject === null || busy.value) return;
    busy.value = true;
    error.value = null;
    try {
      await run(subject);
      pending.value = null;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      busy.value = false;
    }
  }

  return reactive({ pending, busy, error, ask, cancel, confirm });
}
