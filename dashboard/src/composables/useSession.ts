import { computed, readonly } from 'vue';
import type { MyKey, Scope } from '../api/types';
import { ApiError, useApi } from './useApi';
import { apiKey, clearKey, me, signOutReason, storeKey } from './sessionState';

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

  /** Loads the signed-in key's description once (after a reload the key is known but not its scopes). */
  async function ensureMe(): Promise<MyKey> {
    if (me.value) return me.value;
    pendingMe ??= unwrap(client.GET('/v1/keys/me')).finally(() => {
      pendingMe = null;
    });
    const owner = await pendingMe;
    me.value = owner;
    return owner;
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
