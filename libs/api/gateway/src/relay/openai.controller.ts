import { Body, Controller, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiKeyAuth, renderError, toOpenAiShape } from '@tiergate/api-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from '../keys/api-key-authenticator.js';
import { extractApiKey } from '../keys/extract-api-key.js';
import { ChainQuoter } from './chain-quoter.js';
import { RelayChannelSource } from './relay-channel.js';
import { RelayService } from './relay.service.js';

/** The OpenAI surface. Auth is the API key; errors are OpenAI's shape. */
@Controller('v1')
export class OpenAiController {
  private readonly logger = new Logger('Relay');

  constructor(
    private readonly relay: RelayService,
    private readonly keys: ApiKeyAuthenticator,
    private readonly quoter: ChainQuoter,
    private readonly channels: RelayChannelSource,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiKeyAuth()
  async chat(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The relay writes the response itself (streaming), so Fastify steps aside.
    reply.hijack();
    const res = reply.raw;
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    try {
      const principal = await this.keys.authenticate(extractApiKey(req.headers, req.query), req.ip);
      await this.relay.chatCompletions({ ...principal, pinnedChannelId: pinnedChannelOf(req) }, body, res, gone.signal, String(req.id));
    } catch (err) {
      this.fail(err, req, res);
    }
  }

  /** The models this key may use: priced, served by a channel, and allowed to the key. */
  @Get('models')
  @ApiKeyAuth()
  async models(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    reply.hijack();
    try {
      const principal = await this.keys.authenticate(extractApiKey(req.headers, req.query), req.ip);
      const chain = await this.quoter.chainOf(principal.accountId);
      const served = await this.channels.servedModels();
      const ids = [...chain.pricing.catalog.keys()]
        .filter((m) => served.has(m) && (principal.models.length === 0 || principal.models.includes(m)))
        .sort();
      const payload = JSON.stringify({ object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tiergate' })) });
      reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      reply.raw.end(payload);
    } catch (err) {
      this.fail(err, req, reply.raw);
    }
  }

  private fail(err: unknown, req: FastifyRequest, res: FastifyReply['raw']): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rendered = renderError(err, String(req.id));
    if (rendered.status >= 500) this.logger.error({ requestId: req.id, err: err instanceof Error ? err.stack : String(err) });
    const payload = JSON.stringify(toOpenAiShape(rendered.status, rendered.body));
    res.writeHead(rendered.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': String(req.id),
      ...(rendered.retryAfterSeconds !== undefined && { 'retry-after': String(rendered.retryAfterSeconds) }),
    });
    res.end(payload);
  }
}

/** The channel a request pins with X-Tiergate-Channel; only honoured for keys that allow it. */
function pinnedChannelOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['x-tiergate-channel'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && value.trim() !== '' ? value.trim() : undefined;
}
