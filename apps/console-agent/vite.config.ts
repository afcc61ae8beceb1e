import { defaultClientConditions, defineConfig } from 'vite';

// Served by the API under /agent/ (see apps/api/src/consoles); workspace libs resolve to their sources.
export default defineConfig({
  base: '/agent/',
  root: import.meta.dirname,
  resolve: { conditions: ['source', ...defaultClientConditions] },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    reportCompressedSize: false,
    // antd marks its modules "use client"; that directive means nothing in a client-only bundle.
    rolldownOptions: { onwarn: (w, warn) => void (w.code === 'MODULE_LEVEL_DIRECTIVE' || warn(w)) },
  },
  logLevel: 'warn',
});
