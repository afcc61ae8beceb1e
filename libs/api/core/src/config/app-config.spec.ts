import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';

describe('loadConfig', () => {
  // Secrets not given are generated into DATA_DIR: keep them out of the working tree.
  const dataDir = mkdtempSync(join(tmpdir(), 'tg-config-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const load = (env: Record<string, string>) => loadConfig({ DATA_DIR: dataDir, ...env });

  it('spreads the ledger over one Redis connection unless told otherwise', () => {
    expect(load({}).ledgerConnections).toBe(1);
    expect(load({ LEDGER_REDIS_CONNECTIONS: '4' }).ledgerConnections).toBe(4);
    expect(load({ LEDGER_REDIS_CONNECTIONS: '0' }).ledgerConnections).toBe(1);
  });

  it('refuses a value that is not a whole number', () => {
    expect(() => load({ LEDGER_REDIS_CONNECTIONS: 'two' })).toThrow(/LEDGER_REDIS_CONNECTIONS must be a whole number/);
  });
});
