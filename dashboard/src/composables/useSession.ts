import { computed, readonly } from 'vue';
import type { MyKey, Scope } from '../api/types';
import { ApiError, useApi } from './useApi';
import { apiKey, clearKey, me, meVerified, signOutReason, storeKey, updateOwner } from './sessionState';

let pendingMe: Promise<MyKey> | null = null;

/** Sign-in state: the key (sessionStorage, or localStorage when remembered), what the server says about it (/v1/keys/me), its scopes. */
export function useSession() {
  const { client, unwrap } = useApi();

  /**
   * Checks a key with the server and keeps it for this tab (or on this device with `remember`);
   * throws an ApiError in plain words.
   */
  async function signIn(candidate: string, remember = false): Promise<MyKey> {
    const key = candidate.trim();
    if (!key) throw new ApiError(0, 'Enter an API key.');
    clearKey();
    const owner = await unwrap(client.GET('/v1/keys/me', { headers: { 'x-api-key': key } }));
    storeKey(key, owner, remember);
    return owner;
  }

  function signOut(reason: string | null = null): void {
    clearKey(reason);
  }

  /** Asks the server about the signed-in key (one request for concurrent callers) and keeps the answer. */
  function fetchMe(): Promise<MyKey> {
    const key = apiKey.value;
    pendingMe ??= unwrap(client.GET('/v1/keys/me'))
      .then((owner) => {
        // Not for a key signed out (or replaced) meanwhile.
        if (apiKey.value === key) updateOwner(owner);
        return owner;
      })
      .finally(() => {
        pendingMe = null;
      });
    return pendingMe;
  }

  /**
   * The signed-in key's description. After a reload it comes from storage at once (the page does not
   * wait for the server) and is revalidated in the background; without a stored copy it is fetched.
   */
  async function ensureMe(): Promise<MyKey> {
    if (!me.value) return fetchMe();
    if (!meVerified.value && !pendingMe) {
      // A refused key is signed out by unwrap (401/403); an unreachable server keeps the stored copy
      // until the next navigation tries again.
      fetchMe().catch(() => undefined);
    }
    return me.value;
  }

  const scopes = computed<readonly Scope[]>(() => me.value?.effectiveScopes ?? []);

  function can(scope: Scope): boolean {
    return scopes.value.includes(scope);
  }

  return {
    me: readonly(me),
    reason: readonly(signOutReason),
    signedIn: computed(() => apiKey.value !== null),
    scopes,
    can,
    signIn,
    signOut,
    ensureMe,
  };
}
