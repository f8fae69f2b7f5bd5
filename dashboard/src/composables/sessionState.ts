import { ref, shallowRef } from 'vue';
import type { MyKey } from '../api/types';

// The signed-in key lives in sessionStorage by default: it survives a reload of the tab and is gone
// when the tab closes. Only when the user ticks "remember on this device" is it kept in localStorage
// (shared by every tab, kept across restarts); signing out or a refused key (401) clears both.
// This module only holds the state; useSession() adds sign-in on top, useApi() reads the key.
// Beside the key, the same storage keeps what the server said about it (GET /v1/keys/me: name, scopes),
// so a reload shows the page at once instead of waiting for that round trip; the copy only decides
// what the page shows (the server checks every call), and is revalidated in the background once per
// page load (useSession.ensureMe): a revoked key is then signed out, changed scopes are applied.
const STORAGE_KEY = 'housing.apiKey';
const STORAGE_OWNER = 'housing.apiKeyOwner';

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

/** The storage holding the key (the tab's, or the device's when remembered), if any. */
function keyStorage(): Storage | undefined {
  return storages().find((storage) => storage.getItem(STORAGE_KEY));
}

/** The stored description of the key, when it is one (a damaged copy is ignored: it is asked for again). */
function storedOwner(storage: Storage | undefined): MyKey | null {
  try {
    const owner = JSON.parse(storage?.getItem(STORAGE_OWNER) ?? 'null') as MyKey | null;
    return owner && typeof owner.name === 'string' && Array.isArray(owner.effectiveScopes) ? owner : null;
  } catch {
    return null;
  }
}

export const apiKey = ref<string | null>(null);
export const me = shallowRef<MyKey | null>(null);
/** Whether `me` came from the server during this page load (not only from storage). */
export const meVerified = ref(false);
/** Why the user was sent back to sign-in (the server's words), shown on the sign-in page. */
export const signOutReason = ref<string | null>(null);

function forget(): void {
  for (const storage of storages()) {
    storage.removeItem(STORAGE_KEY);
    storage.removeItem(STORAGE_OWNER);
  }
}

/** Reads the session a page load starts with: the stored key and, unverified, its stored description. */
export function restoreSession(): void {
  const storage = keyStorage();
  apiKey.value = storage?.getItem(STORAGE_KEY) ?? null;
  me.value = apiKey.value ? storedOwner(storage) : null;
  meVerified.value = false;
}
restoreSession();

/** The server's current description of the signed-in key, kept beside it. */
export function updateOwner(owner: MyKey): void {
  me.value = owner;
  meVerified.value = true;
  try {
    keyStorage()?.setItem(STORAGE_OWNER, JSON.stringify(owner));
  } catch {
    // storage full or disabled: the copy in memory serves this page
  }
}

/** Keeps the key for this tab, or on this device when the user chose to (never by default). */
export function storeKey(key: string, owner: MyKey, remember = false): void {
  apiKey.value = key;
  me.value = owner;
  meVerified.value = true;
  signOutReason.value = null;
  forget();
  try {
    const storage = remember ? localStorage : sessionStorage;
    storage.setItem(STORAGE_KEY, key);
    storage.setItem(STORAGE_OWNER, JSON.stringify(owner));
  } catch {
    // storage disabled: the key stays in memory for this page only
  }
}

export function clearKey(reason: string | null = null): void {
  apiKey.value = null;
  me.value = null;
  meVerified.value = false;
  signOutReason.value = reason;
  try {
    forget();
  } catch {
    // nothing stored
  }
}
