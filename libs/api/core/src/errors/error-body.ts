import { HttpException } from '@nestjs/common';
import type { ErrorBody } from '@tiergate/contracts';
import { DomainError, STATUS_OF_KIND } from './domain.error.js';

export interface RenderedError {
  status: number;
  body: ErrorBody;
  retryAfterSeconds?: number;
}

const CODE_OF_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/** Fastify's own client errors (bad JSON, wrong content type, body too large) carry these. */
interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function flattenValidationMessage(response: unknown): string | undefined {
  if (typeof response !== 'object' || response === null) return undefined;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : undefined;
}

/** Turns anything thrown into the status and body a client sees. Pure, so it is unit-tested. */
export function renderError(err: unknown, id: string): RenderedError {
  if (err instanceof DomainError) {
    return {
      status: STATUS_OF_KIND[err.kind],
      body: { error: { code: err.code, message: err.message, id } },
      retryAfterSeconds: err.retryAfterSeconds,
    };
  }
  if (err instanceof HttpException) {
    const status = err.getStatus();
    const response = err.getResponse();
    const message = flattenValidationMessage(response) ?? err.message;
    const code =
      status === 400
        ? /JSON/.test(message) ? 'invalid_json' : 'invalid_request'
        : (CODE_OF_STATUS[status] ?? (status >= 500 ? 'internal_error' : 'error'));
    return { status, body: { error: { code, message: status >= 500 ? 'Internal error' : message, id } } };
  }
  const fastify = err as FastifyLikeError;
  if (typeof fastify?.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    const code =
      fastify.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastify.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || /JSON/.test(fastify.message ?? '')
        ? 'invalid_json'
        : (CODE_OF_STATUS[fastify.statusCode] ?? 'bad_request');
    return { status: fastify.statusCode, body: { error: { code, message: fastify.message ?? 'Bad request', id } } };
  }
  return { status: 500, body: { error: { code: 'internal_error', message: 'Internal error', id } } };
}
