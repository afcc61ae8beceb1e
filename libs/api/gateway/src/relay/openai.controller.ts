import { Body, Controller, Get, HttpCode, Logger, Param, Post, Req, Res } from '@nestjs/common';
import { ApiKeyAuth, NotFoundError, toOpenAiShape } from '@tiergate/api-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from '../keys/api-key-authenticator.js';
import { openAiChatSurface, openAiCompletionsSurface } from '../providers/openai/surface.js';
import { adapterFor } from '../providers/registry.js';
import { ChainQuoter } from './chain-quoter.js';
import { geminiModelList } from './gemini.controller.js';
import { RelayChannelSource } from './relay-channel.js';
import { callerOf, sendJson, serveRelay, visibleModels } from './relay-http.js';
import { RelayService } from './relay.service.js';

/** The OpenAI surface. Auth is the API key; errors are OpenAI's shape. */
@Controller('v1')
export class OpenAiController {
  private readonly logger = new Logger('Relay');
  private get deps() {
    return { keys: this.keys, logger: this.logger, errorShape: toOpenAiShape };
  }

  constructor(
    private readonly relay: RelayService,
    private readonly keys: ApiKeyAuthenticator,
    private readonly quoter: ChainQuoter,
    private readonly channels: RelayChannelSource,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  @ApiKeyAuth()
  chat(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) =>
      this.relay.relay({ surface: openAiChatSurface, caller: callerOf(principal, req), body, res, clientGone: gone, requestId: String(req.id) }),
    );
  }

  /** Embeddings: OpenAI-protocol channels only; billed on the input tokens the upstream reports. */
  @Post('embeddings')
  @HttpCode(200)
  @ApiKeyAuth()
  embeddings(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) => this.relay.embeddings(callerOf(principal, req), body, res, gone, String(req.id)));
  }

  /** Legacy text completions, converted through chat for every upstream. */
  @Post('completions')
  @HttpCode(200)
  @ApiKeyAuth()
  completions(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) =>
      this.relay.relay({ surface: openAiCompletionsSurface, caller: callerOf(principal, req), body, res, clientGone: gone, requestId: String(req.id) }),
    );
  }

  /** Chat completions routed only to channels of one provider type (e.g. `/v1/anthropic/chat/completions`). */
  @Post(':provider/chat/completions')
  @HttpCode(200)
  @ApiKeyAuth()
  pinnedChat(@Param('provider') provider: string, @Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) => {
      if (!adapterFor(provider)) throw new NotFoundError('provider_not_found', `There is no provider "${provider}"`);
      return this.relay.relay({ surface: openAiChatSurface, caller: callerOf(principal, req), body, provider, res, clientGone: gone, requestId: String(req.id) });
    });
  }

  /** The models this key may use: priced, served by a channel, and allowed to the key. */
  @Get('models')
  @ApiKeyAuth()
  models(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, async ({ principal, res }) => {
      const ids = await visibleModels(this.quoter, this.channels, principal);
      // `/v1/models` is also where the Google Gen AI SDK lists models; it sends its key as x-goog-api-key.
      if (req.headers['x-goog-api-key'] !== undefined) return sendJson(res, geminiModelList(ids));
      sendJson(res, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'tiergate' })) });
    });
  }
}
