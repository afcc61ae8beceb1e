import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { renderError } from './error-body.js';

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
    void reply.status(rendered.status).send(rendered.body);
  }
}
