import { createHash, randomBytes } from 'node:crypto';

/** `tg-` + base64url of at least 32 random bytes (43+ characters). */
export const API_KEY_SHAPE = /^tg-[A-Za-z0-9_-]{43,128}$/;
/** How much of a key lists show: `tg-` and 8 characters. */
export const API_KEY_PREFIX_LENGTH = 11;

export function generateApiKey(): string {
  return `tg-${randomBytes(32).toString('base64url')}`;
}

/** What is stored and looked up: the SHA-256 of the whole key, hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function prefixOfApiKey(key: string): string {
  return key.slice(0, API_KEY_PREFIX_LENGTH);
}
