import { flushPromises, mount } from '@vue/test-utils';
import { createMemoryHistory } from 'vue-router';
import App from '../App.vue';
import { storeKey } from '../composables/sessionState';
import type { MyKey } from '../api/types';
import { createAppRouter } from '../router';
import { ADMIN_KEY } from './fixtures';

/** Mounts the whole app (router, guards, navigation) at `path`, optionally signed in as `owner`. */
export async function mountApp(path: string, owner?: MyKey) {
  if (owner) storeKey(ADMIN_KEY, owner);
  const router = createAppRouter(createMemoryHistory());
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body });
  await router.push(path);
  await router.isReady();
  await flushPromises();
  return { wrapper, router };
}

/** Lets pending fetches, lazy route components and re-renders settle. */
export async function settle(rounds = 3) {
  for (let i = 0; i < rounds; i++) {
    await flushPromises();
    await new Promise((r) => setTimeout(r, 0));
  }
}

/** Waits (up to `timeoutMs`) until `check` passes; lazy route components load asynchronously. */
export async function until(check: () => unknown, timeoutMs = 4000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await flushPromises();
    try {
      if (check() !== false) return;
    } catch (error) {
      if (Date.now() > end) throw error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${check.toString()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
