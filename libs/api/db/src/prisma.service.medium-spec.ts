import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { DatabaseTarget, PrismaService } from './prisma.service.js';

const databaseUrl = inject('databaseUrl');

describe('PrismaService pool', () => {
  it('reconnects after the server dropped an idle connection (57P01), without an unhandled error', async () => {
    const prisma = new PrismaService(new DatabaseTarget(databaseUrl));
    const [{ pid }] = await prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    expect((await admin.query('SELECT pg_terminate_backend($1) AS done', [pid])).rows[0].done).toBe(true);
    await admin.end();
    // Give the pool time to hear the error on its idle connection: unheard, it would crash the run.
    await new Promise((r) => setTimeout(r, 300));
    const [{ pid: next }] = await prisma.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    expect(next).not.toBe(pid);
    await prisma.onApplicationShutdown();
  });
});
