import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals upstream keys at rest with AES-256-GCM under the installation's secret key
 * (TIERGATE_SECRET_KEY). A sealed value is base64 of iv (12 bytes) + tag (16) + ciphertext;
 * a fresh random IV each time, so equal keys never look alike.
 */
export class KeyVault {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error(`KeyVault needs a 32-byte key, got ${key.length} bytes`);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Throws when the value was altered or sealed under another key. */
  decrypt(sealed: string): string {
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed key is truncated');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error('sealed key does not decrypt: it was altered, or TIERGATE_SECRET_KEY changed');
    }
  }
}
