import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The three consoles and the Vite build each is served from (DESIGN §11). */
export const CONSOLE_MOUNTS = [
  { prefix: '/admin', app: 'console-admin' },
  { prefix: '/agent', app: 'console-agent' },
  { prefix: '/app', app: 'console-app' },
] as const;

/** apps/ — the same from apps/api/src (tests) and apps/api/dist (the built server). */
const APPS_DIR = fileURLToPath(new URL('../../../', import.meta.url));

export function consoleDistDir(app: string, appsDir = APPS_DIR): string {
  return `${appsDir}${app}/dist`;
}

/**
 * Serves each console's static build under its prefix, outside Nest's router: these are public
 * files (no data), and every /api route stays behind the guard. Hashed assets are cached for
 * good; index.html never, and any other path under a prefix falls back to it (SPA).
 */
export async function registerConsoles(fastify: FastifyInstance, appsDir = APPS_DIR): Promise<void> {
  for (const mount of CONSOLE_MOUNTS) {
    const root = consoleDistDir(mount.app, appsDir);
    await fastify.register(
      async (scope) => {
        if (!existsSync(`${root}/index.html`)) {
          const notBuilt = (_: unknown, reply: FastifyReply) =>
            reply.code(503).type('text/plain; charset=utf-8').send(`The ${mount.app} build is missing: run \`pnpm build:consoles\` (pnpm start does it).`);
          scope.get('/', notBuilt);
          scope.get('/*', notBuilt);
          return;
        }
        await scope.register(fastifyStatic, {
          root,
          prefix: '/',
          index: ['index.html'],
          redirect: true,
          wildcard: true,
          setHeaders: (res, filePath) => {
            void res.header('cache-control', filePath.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
          },
        });
        scope.setNotFoundHandler((req, reply) =>
          req.url.includes('/assets/')
            ? reply.code(404).type('text/plain; charset=utf-8').send('Not found')
            : reply.header('cache-control', 'no-cache').sendFile('index.html', root),
        );
      },
      { prefix: mount.prefix },
    );
  }
}
