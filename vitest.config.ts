import swc from 'unplugin-swc';
import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources ("source" export condition), and SWC
// compiles them with decorator metadata, which Nest's DI and ValidationPipe need.
const conditions = ['source', ...defaultServerConditions];
const shared = {
  plugins: [swc.vite({ module: { type: 'es6' }, jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } } })],
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
};

export default defineConfig({
  ...shared,
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    projects: [
      {
        ...shared,
        test: {
          name: 'unit',
          include: ['apps/*/src/**/*.spec.ts', 'libs/**/src/**/*.spec.ts'],
          exclude: ['libs/web/**', 'apps/console-*/**', '**/node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'medium',
          include: ['apps/*/src/**/*.medium-spec.ts', 'libs/**/src/**/*.medium-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        ...shared,
        test: {
          name: 'e2e',
          include: ['apps/*/test/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        // The consoles' libs and apps: components and hooks in a DOM (happy-dom); Vite's own
        // TSX transform, no decorators there.
        resolve: { conditions: ['source', ...defaultClientConditions] },
        oxc: { jsx: { runtime: 'automatic' } },
        test: {
          name: 'web',
          include: ['libs/web/**/src/**/*.spec.{ts,tsx}', 'apps/console-*/src/**/*.spec.{ts,tsx}'],
          environment: 'happy-dom',
          testTimeout: 30_000,
        },
      },
      {
        // A real browser (Debian's Chromium through playwright-core) against a started server.
        ...shared,
        test: {
          name: 'browser',
          include: ['e2e/**/*.e2e-spec.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
