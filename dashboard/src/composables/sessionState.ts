import { ref, shallowRef } from 'vue';
import type { MyKey } from '../api/types';

// The signed-in key lives in sessionStorage: it survives a reload of the tab and is gone when the tab
// closes. This module only holds the state; useSession() adds sign-in on top, useApi() reads the key.
const STORAGE_KEY = 'housing.apiKey';

function stored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export const apiKey = ref<string | null>(stored());
export const me = shallowRef<MyKey | null>(null);
/** Why the user was sent back to sign-in (the server's words), shown on the sign-in page. */
export const signOutReason = ref<string | null>(null);

export function storeKey(key: string, owner: MyKey): void {
  apiKey.value = key;
  me.value = owner;
  signOutReason.value = null;
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key stays in memory for this page only
  }
}

export function clearKey(reason: string | null = null): void {
  apiKey.value = null;
  me.value = null;
  signOutReason.value = reason;
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing stored
  }
}
