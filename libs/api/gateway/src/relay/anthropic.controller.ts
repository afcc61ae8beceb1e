import { Body, Controller, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiKeyAuth, ForbiddenError, toAnthropicShape } from '@tiergate/api-core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyAuthenticator } from '../keys/api-key-authenticator.js';
import { ANTHROPIC_VERSION } from '../providers/anthropic/anthropic.adapter.js';
import { anthropicSurface } from '../providers/anthropic/surface.js';
import { countChatPromptTokens } from '../tokens/token-counter.js';
import { callerOf, sendJson, serveRelay } from './relay-http.js';
import { RelayService } from './relay.service.js';

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The Anthropic surface (Claude Code, the Anthropic SDKs). Auth by `x-api-key` or Bearer; errors in Anthropic's shape. */
@Controller('v1/messages')
export class AnthropicController {
  private readonly logger = new Logger('Relay');
  private get deps() {
    return { keys: this.keys, logger: this.logger, errorShape: toAnthropicShape };
  }

  constructor(
    private readonly relay: RelayService,
    private readonly keys: ApiKeyAuthenticator,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiKeyAuth()
  messages(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // The client's API version and beta flags go upstream when the upstream is Anthropic too.
    const beta = header(req, 'anthropic-beta');
    const passHeaders = { 'anthropic-version': header(req, 'anthropic-version') ?? ANTHROPIC_VERSION, ...(beta && { 'anthropic-beta': beta }) };
    return serveRelay(req, reply, this.deps, ({ principal, res, gone }) =>
      this.relay.relay({ surface: anthropicSurface, caller: callerOf(principal, req), body, passHeaders, res, clientGone: gone, requestId: String(req.id) }),
    );
  }

  /** The relay's own count of the prompt (the same count it reserves by); no upstream call, no charge. */
  @Post('count_tokens')
  @HttpCode(200)
  @ApiKeyAuth()
  countTokens(@Body() body: unknown, @Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return serveRelay(req, reply, this.deps, async ({ principal, res }) => {
      // count_tokens needs no max_tokens; the surface's parser does.
      const withMax = body && typeof body === 'object' && !Array.isArray(body) ? { max_tokens: 1, ...body } : body;
      const { model, canonical } = anthropicSurface.parse(withMax, {});
      if (principal.models.length > 0 && !principal.models.includes(model)) throw new ForbiddenError('model_not_allowed', `This API key may not use the model "${model}"`);
      sendJson(res, { input_tokens: countChatPromptTokens(canonical.messages, canonical.tools) });
    });
  }
}
