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
    const body = request.url.startsWith('/v1/') ? toOpenAiShape(rendered.status, rendered.body) : rendered.body;
    void reply.status(rendered.status).send(body);
  }
}
