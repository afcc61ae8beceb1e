import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorBody } from '@tiergate/contracts';
import { renderError } from './error-body.js';

const OPENAI_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
};

/** The OpenAI surface answers in OpenAI's error shape (type, code, param), keeping our error id. */
export function toOpenAiShape(status: number, body: ErrorBody) {
  const type = body.error.code === 'insufficient_quota' ? 'insufficient_quota' : (OPENAI_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'));
  return { error: { message: body.error.message, type, param: null, code: body.error.code, id: body.error.id } };
}

const ANTHROPIC_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

/** The Anthropic surface: `{type:'error', error:{type, message}}`, plus our code and error id. */
export function toAnthropicShape(status: number, body: ErrorBody) {
  const type = ANTHROPIC_TYPE[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { type: 'error', error: { type, message: body.error.message, code: body.error.code }, request_id: body.error.id };
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** The Gemini surface: Google's `{error:{code, message, status}}`, with our code and error id in `details`. */
export function toGeminiShape(status: number, body: ErrorBody) {
  return {
    error: {
      code: status,
      message: body.error.message,
      status: GOOGLE_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: body.error.code, domain: 'tiergate', metadata: { id: body.error.id } }],
    },
  };
}

/** Which error shape a relay path answers in: each surface its protocol's own. */
export function relayErrorShape(url: string, status: number, body: ErrorBody): unknown {
  if (url.startsWith('/v1/messages')) return toAnthropicShape(status, body);
  if (url.startsWith('/v1beta/') || url.startsWith('/v1/models/')) return toGeminiShape(status, body);
  if (url.startsWith('/v1/')) return toOpenAiShape(status, body);
  return body;
}

/** The one filter: every error leaves the API as `{error:{code,message,id}}`. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const rendered = renderError(exception, String(request.id));
    if (rendered.status >= 500) {
      this.logger.error({ requestId: request.id, err: exception instanceof Error ? exception.stack : String(exception) });
    }
    if (rendered.retryAfterSeconds !== undefined) void reply.header('retry-after', String(rendered.retryAfterSeconds));
    const body = relayErrorShape(request.url, rendered.status, rendered.body);
    void reply.status(rendered.status).send(body);
  }
}
