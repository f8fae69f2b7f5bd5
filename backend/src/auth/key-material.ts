import { createHash, randomBytes } from 'node:crypto';

/** Generated keys: `hp_` + 43 base64url characters of 32 random bytes (256 bits). */
export const KEY_TAG = 'hp_';
/** The stored, indexed and displayed part of a key: its first 12 characters. */
export const KEY_PREFIX_LENGTH = 12;
/** Longer presented keys are rejected before hashing. */
export const MAX_KEY_LENGTH = 512;

export function generateApiKey(): string {
  return KEY_TAG + randomBytes(32).toString('base64url');
}

export function keyPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX_LENGTH);
}

/** SHA-256 of the whole key. Fast on purpose: keys are high-entropy secrets, not passwords (see ApiKeyEntity). */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
