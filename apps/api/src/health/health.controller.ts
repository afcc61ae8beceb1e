import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { Public, RedisConnection } from '@tiergate/api-core';
import { PrismaService } from '@tiergate/api-db';
import type { FastifyReply } from 'fastify';

@Controller()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnection,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  @Public()
  @HttpCode(200)
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the services it needs answer. */
  @Get('ready')
  @Public()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const checks: Record<string, 'ok' | 'down' | 'embedded'> = {};
    checks.postgres = await this.prisma.$queryRaw`SELECT 1`.then(() => 'ok' as const, () => 'down' as const);
    checks.redis = this.redis.client
      ? await this.redis.client.ping().then(() => 'ok' as const, () => 'down' as const)
      : 'embedded';
    const ready = !Object.values(checks).includes('down');
    void reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'not_ready', checks };
  }
}
