import Fastify, { type FastifyInstance } from 'fastify';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConsoles } from './consoles.js';

/**
 * The consoles are public static files outside Nest's guarded router: prove they serve only
 * their own build, fall back to index.html for client routes, and leave /api alone.
 */
describe('console hosting', () => {
  let dir: string;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg-consoles-'));
    for (const name of ['console-admin', 'console-agent']) {
      mkdirSync(join(dir, name, 'dist/assets'), { recursive: true });
      writeFileSync(join(dir, name, 'dist/index.html'), `<html>${name}</html>`);
      writeFileSync(join(dir, name, 'dist/assets/index-abc.js'), `console.log('${name}')`);
    }
    writeFileSync(join(dir, 'secret.txt'), 'outside the build');
    app = Fastify();
    await registerConsoles(app, `${dir}/`);
    app.get('/api/v1/ping', async () => ({ pong: true }));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html at each prefix, never cached', async () => {
    const res = await app.inject('/admin/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<html>console-admin</html>');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect((await app.inject('/agent/')).body).toBe('<html>console-agent</html>');
  });

  it('serves hashed assets with a long cache', async () => {
    const res = await app.inject('/agent/assets/index-abc.js');
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("console.log('console-agent')");
    expect(res.headers['cache-control']).toContain('immutable');
  });

  it('falls back to index.html for client routes, but not for missing assets', async () => {
    expect((await app.inject('/admin/tree/123')).body).toBe('<html>console-admin</html>');
    expect((await app.inject('/admin/assets/gone.js')).statusCode).toBe(404);
  });

  it('serves nothing outside the build', async () => {
    for (const url of ['/admin/../secret.txt', '/admin/%2e%2e/secret.txt', '/admin/..%2fsecret.txt', '/admin/assets/../../secret.txt']) {
      const res = await app.inject(url);
      expect(res.body, url).not.toContain('outside the build');
    }
  });

  it('says how to build a console that is missing', async () => {
    const res = await app.inject('/app/');
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('pnpm build:consoles');
    expect((await app.inject('/app/chat')).statusCode).toBe(503);
  });

  it('leaves the API routes alone', async () => {
    expect((await app.inject('/api/v1/ping')).json()).toEqual({ pong: true });
    expect((await app.inject('/api/v1/nothing')).statusCode).toBe(404);
  });
});
