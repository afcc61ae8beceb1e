import { Body, Controller, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiKeyAuth, InvalidInputError, NotFoundError, toGeminiShape } from '@tiergate/api-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from '../keys/api-key-authenticator.js';
import { geminiSurface } from '../providers/gemini/surface.js';
import { ChainQuoter } from './chain-quoter.js';
import { RelayChannelSource } from './relay-channel.js';
import { callerOf, sendJson, serveRelay, visibleModels } from './relay-http.js';
import { RelayService } from './relay.service.js';

/** `{model}:{method}` from the path after `models/` (Fastify reads `:` as a parameter, so the route is a wildcard). */
export function parseModelAction(path: string): { model: string; action: string } | null {
  const at = path.lastIndexOf(':');
  if (at <= 0) return null;
  return { model: decodeURIComponent(path.slice(0, at)), action: path.slice(at + 1) };
}

/** Google's model list shape (`GET /v1beta/models`, and `GET /v1/models` for a Gemini client). */
export function geminiModelList(ids: string[]) {
  return { models: ids.map((id) => ({ name: `models/${id}`, version: '001', displayName: id, supportedGenerationMethods: ['generateContent', 'streamGenerateContent'] })) };
}

/** The Gemini surface (the Google Gen AI SDKs). Auth by `x-goog-api-key` or `?key=`; errors in Google's shape. */
@Controller()
export class GeminiController {
  private readonly logger = new Logger('Relay');
  private get deps() {
    return { keys: this.keys, logger: this.logger, errorShape: toGeminiShape };
  }

  constructor(
    private readonly relay: RelayService,
    private readonly keys: ApiKeyAuthenticator,
    private readonly quoter: ChainQuoter,
    private readonly channels: RelayChannelSource,
  ) {}

  @Get('v1beta/models')
  @ApiKeyAuth()
  models(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, async ({ principal, res }) => {
      sendJson(res, geminiModelList(await visibleModels(this.quoter, this.channels, principal)));
    });
  }

  /**
   * `models/{model}:generateContent` and `models/{model}:streamGenerateContent?alt=sse`, under
   * `v1beta` and under `v1` (where the Google Gen AI SDK goes by default).
   */
  @Post(['v1beta/models/*', 'v1/models/*'])
  @HttpCode(200)
  @ApiKeyAuth()
  generate(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) => {
      const path = (req.params as Record<string, string>)['*'] ?? '';
      const target = parseModelAction(path);
      if (!target || (target.action !== 'generateContent' && target.action !== 'streamGenerateContent')) {
        throw new NotFoundError('not_found', `Unknown method: ${path}; this relay serves generateContent and streamGenerateContent`);
      }
      const stream = target.action === 'streamGenerateContent';
      if (stream && (req.query as Record<string, unknown>)['alt'] !== 'sse') {
        throw new InvalidInputError('invalid_request', 'streamGenerateContent is served as server-sent events: add ?alt=sse');
      }
      return this.relay.relay({ surface: geminiSurface, caller: callerOf(principal, req), body, route: { model: target.model, stream }, res, clientGone: gone, requestId: String(req.id) });
    });
  }
}
