import { ref, shallowRef } from 'vue';
import type { MyKey } from '../api/types';

// The signed-in key lives in sessionStorage by default: it survives a reload of the tab and is gone
// when the tab closes. Only when the user ticks "remember on this device" is it kept in localStorage
// (shared by every tab, kept across restarts); signing out or a refused key (401) clears both.
// This module only holds the state; useSession() adds sign-in on top, useApi() reads the key.
const STORAGE_KEY = 'housing.apiKey';

function storages(): Storage[] {
  const out: Storage[] = [];
  try {
    out.push(sessionStorage);
  } catch {
    // storage disabled
  }
  try {
    out.push(localStorage);
  } catch {
    // storage disabled
  }
  return out;
}

function stored(): string | null {
  for (const storage of storages()) {
    const value = storage.getItem(STORAGE_KEY);
    if (value) return value;
  }
  return null;
}

export const apiKey = ref<string | null>(stored());
export const me = shallowRef<MyKey | null>(null);
/** Why the user was sent back to sign-in (the server's words), shown on the sign-in page. */
export const signOutReason = ref<string | null>(null);

function forget(): void {
  for (const storage of storages()) storage.removeItem(STORAGE_KEY);
}

/** Keeps the key for this tab, or on this device when the user chose to (never by default). */
export function storeKey(key: string, owner: MyKey, remember = false): void {
  apiKey.value = key;
  me.value = owner;
  signOutReason.value = null;
  forget();
  try {
    (remember ? localStorage : sessionStorage).setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key stays in memory for this page only
  }
}

export function clearKey(reason: string | null = null): void {
  apiKey.value = null;
  me.value = null;
  signOutReason.value = reason;
  try {
    forget();
  } catch {
    // nothing stored
  }
}
