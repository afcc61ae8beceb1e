import { defineConfig } from 'prisma/config';

// Used by the Prisma CLI where its native engine is available (`prisma migrate deploy`).
// Offline, `pnpm db:migrate` applies the same folder through the wasm engine.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
