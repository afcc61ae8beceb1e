import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { AccountsService, MasterBootstrapService } from '@tiergate/api-accounts';
import type { Actor } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import { ApiKeysService, ChannelsService } from '@tiergate/api-gateway';
import { GrantsService } from '@tiergate/api-ledger';
import { CatalogService, PriceListsService } from '@tiergate/api-pricing';
import { startMockUpstream, type MockUpstream } from '@tiergate/mock-upstream';
import { randomBytes } from 'node:crypto';

export const DEMO_MODEL = 'demo-chat';
const CHANNEL_NAME = 'Built-in demo upstream';
const CREDIT = 1_000_000n;

/**
 * DEMO_SEED=1: the built-in fake upstream runs in this process, and a demo tree (agent → tenant
 * → user), prices, grants, a channel and an API key are created once, so a newcomer can chat
 * offline. Passwords and the key are random and printed once; there are no default passwords.
 */
export async function seedDemo(app: INestApplicationContext): Promise<MockUpstream> {
  const logger = new Logger('Demo');
  const upstream = await startMockUpstream({ port: 0, record: false });
  const prisma = app.get(PrismaService);
  const { masterId } = await app.get(MasterBootstrapService).ensureMaster();
  const master: Actor = { accountId: masterId, kind: 'MASTER', tier: 'master' };
  const channels = app.get(ChannelsService);

  const existing = await prisma.channel.findFirst({ where: { name: CHANNEL_NAME } });
  if (existing) {
    // The fake upstream gets a new port every start: point the channel at it.
    await channels.update(master, existing.id, { baseUrl: `${upstream.url}/v1` });
    logger.log(`demo upstream at ${upstream.url} (demo already seeded)`);
    return upstream;
  }

  await app.get(CatalogService).put(master, DEMO_MODEL, { inputPer1M: String(1n * CREDIT), outputPer1M: String(4n * CREDIT) });
  await channels.create(master, {
    name: CHANNEL_NAME,
    provider: 'openai',
    baseUrl: `${upstream.url}/v1`,
    keys: [`sk-demo-${randomBytes(16).toString('hex')}`],
    models: [DEMO_MODEL],
    modelMapping: { [DEMO_MODEL]: 'mock-gpt@chunkdelay=30' },
  });

  const accounts = app.get(AccountsService);
  const grants = app.get(GrantsService);
  const lists = app.get(PriceListsService);
  const made: { kind: string; username: string; password: string }[] = [];
  const create = async (actor: Actor, kind: 'AGENT' | 'TENANT' | 'USER', name: string, username: string) => {
    const password = randomBytes(12).toString('base64url');
    const account = await accounts.create(actor, { kind, name, username, password });
    made.push({ kind, username, password });
    return { accountId: account.id, kind, tier: kind.toLowerCase() } as Actor;
  };
  const agent = await create(master, 'AGENT', 'Demo Agent', 'demo-agent');
  const tenant = await create(agent, 'TENANT', 'Demo Tenant', 'demo-tenant');
  const user = await create(tenant, 'USER', 'Demo User', 'demo-user');
  await grants.grant(master, agent.accountId, { delta: String(100n * CREDIT), note: 'demo' });
  await grants.grant(agent, tenant.accountId, { delta: String(50n * CREDIT), note: 'demo' });
  await grants.grant(tenant, user.accountId, { delta: String(10n * CREDIT), note: 'demo' });
  await lists.put(agent, agent.accountId, { markupBps: 12_000 });
  await lists.put(tenant, tenant.accountId, { markupBps: 15_000 });
  const key = await app.get(ApiKeysService).create(user, user.accountId, { name: 'demo key' });

  process.stdout.write(
    [
      '',
      '  Demo seeded (shown once):',
      ...made.map((m) => `    ${m.kind.padEnd(6)} ${m.username.padEnd(12)} password ${m.password}`),
      `    API key of demo-user: ${key.key}`,
      `    model: ${DEMO_MODEL}   e.g. curl -s localhost:$PORT/v1/chat/completions -H "authorization: Bearer ${key.key}" \\`,
      `      -H 'content-type: application/json' -d '{"model":"${DEMO_MODEL}","messages":[{"role":"user","content":"hello"}]}'`,
      '',
    ].join('\n') + '\n',
  );
  logger.log(`demo upstream at ${upstream.url}`);
  return upstream;
}
