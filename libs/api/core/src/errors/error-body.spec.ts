import { BadRequestException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, RateLimitedError } from './domain.error.js';
import { renderError } from './error-body.js';

describe('renderError', () => {
  it('maps domain errors by kind and keeps their code', () => {
    expect(renderError(new NotFoundError('account_not_found', 'nope'), 'r1')).toEqual({
      status: 404,
      body: { error: { code: 'account_not_found', message: 'nope', id: 'r1' } },
      retryAfterSeconds: undefined,
    });
    expect(renderError(new ConflictError('username_taken', 'taken'), 'r2').status).toBe(409);
    expect(renderError(new RateLimitedError('slow_down', 'wait', 12), 'r3')).toMatchObject({ status: 429, retryAfterSeconds: 12 });
  });

  it('renders Nest HTTP exceptions with a stable code', () => {
    expect(renderError(new BadRequestException('Body is not valid JSON'), 'x').body.error.code).toBe('invalid_json');
    expect(renderError(new BadRequestException(['a must be a string', 'b is required']), 'x').body.error).toMatchObject({
      code: 'invalid_request',
      message: 'a must be a string; b is required',
    });
    expect(renderError(new NotFoundException('Cannot GET /x'), 'x')).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });

  it("maps Fastify's own client errors and hides everything else behind a 500", () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(renderError(tooLarge, 'x')).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    const secret = renderError(new Error('connection string postgres://user:pw@host'), 'x');
    expect(secret.status).toBe(500);
    expect(secret.body.error.message).toBe('Internal error');
  });
});
