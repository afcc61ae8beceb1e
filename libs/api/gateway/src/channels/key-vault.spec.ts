import { loadConfig, parseSecretKey } from '@tiergate/api-core';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyVault } from './key-vault.js';

describe('KeyVault', () => {
  const vault = new KeyVault(randomBytes(32));
  const secret = 'sk-proj-ABCdef0123456789ghijKLMNOP_-xyz';

  it('round-trips, including non-ASCII text', () => {
    expect(vault.decrypt(vault.encrypt(secret))).toBe(secret);
    expect(vault.decrypt(vault.encrypt('ключ-🔑'))).toBe('ключ-🔑');
  });

  it('never stores the plain key and uses a fresh IV each time', () => {
    const a = vault.encrypt(secret);
    const b = vault.encrypt(secret);
    expect(a).not.toBe(b);
    expect(Buffer.from(a, 'base64').subarray(0, 12).equals(Buffer.from(b, 'base64').subarray(0, 12))).toBe(false);
    expect(a).not.toContain(secret);
    expect(Buffer.from(a, 'base64').toString('latin1')).not.toContain(secret);
    // iv + tag + ciphertext of the same length as the plain text
    expect(Buffer.from(a, 'base64')).toHaveLength(12 + 16 + Buffer.byteLength(secret));
  });

  it('refuses a tampered value (ciphertext, tag or iv)', () => {
    const sealed = Buffer.from(vault.encrypt(secret), 'base64');
    for (const at of [0, 12, 28, sealed.length - 1]) {
      const bad = Buffer.from(sealed);
      bad[at] = bad[at]! ^ 0x01;
      expect(() => vault.decrypt(bad.toString('base64')), `byte ${at}`).toThrow(/altered/);
    }
    expect(() => vault.decrypt(sealed.subarray(0, 20).toString('base64'))).toThrow(/truncated/);
  });

  it('refuses a value sealed under another key', () => {
    const other = new KeyVault(randomBytes(32));
    expect(() => other.decrypt(vault.encrypt(secret))).toThrow(/TIERGATE_SECRET_KEY/);
  });

  it('wants a 32-byte key', () => {
    expect(() => new KeyVault(randomBytes(16))).toThrow(/32-byte/);
  });
});

describe('the vault key from the environment (AppConfig.secretKey)', () => {
  it('reads TIERGATE_SECRET_KEY as hex or base64', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64')).equals(key)).toBe(true);
    expect(parseSecretKey(key.toString('base64url')).equals(key)).toBe(true);
    for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'z'.repeat(64)]) {
      expect(() => parseSecretKey(bad), bad).toThrow(/TIERGATE_SECRET_KEY/);
    }
  });

  it('generates one into DATA_DIR/secret-key (mode 0600) when unset, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tiergate-vault-'));
    try {
      const first = loadConfig({ DATA_DIR: dir }).secretKey;
      expect(first).toHaveLength(32);
      expect(statSync(join(dir, 'secret-key')).mode & 0o777).toBe(0o600);
      expect(loadConfig({ DATA_DIR: dir }).secretKey.equals(first)).toBe(true);
      expect(parseSecretKey(readFileSync(join(dir, 'secret-key'), 'utf8')).equals(first)).toBe(true);
      const given = randomBytes(32);
      expect(loadConfig({ DATA_DIR: dir, TIERGATE_SECRET_KEY: given.toString('hex') }).secretKey.equals(given)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
