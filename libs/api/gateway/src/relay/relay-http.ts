import type { Logger } from '@nestjs/common';
import { renderError } from '@tiergate/api-core';
import type { ErrorBody } from '@tiergate/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import type { ApiKeyAuthenticator, KeyPrincipal } from '../keys/api-key-authenticator.js';
import { extractApiKey } from '../keys/extract-api-key.js';
import type { ChainQuoter } from './chain-quoter.js';
import type { RelayChannelSource } from './relay-channel.js';
import type { RelayCaller } from './relay.service.js';

/** Everything a relay route needs once the key is checked. */
export interface RelayExchange {
  principal: KeyPrincipal;
  res: ServerResponse;
  /** Aborted when the client leaves before the answer is complete. */
  gone: AbortSignal;
}

/**
 * Runs one relay route: Fastify steps aside (the relay writes the response itself, streaming),
 * the API key is checked, and any error is answered in the surface's own shape — or, once bytes
 * went out, by cutting the connection.
 */
export async function serveRelay(
  req: FastifyRequest,
  reply: FastifyReply,
  deps: { keys: ApiKeyAuthenticator; logger: Logger; errorShape: (status: number, body: ErrorBody) => unknown },
  work: (x: RelayExchange) => Promise<void>,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  const gone = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  try {
    const principal = await deps.keys.authenticate(extractApiKey(req.headers, req.query), req.ip);
    await work({ principal, res, gone: gone.signal });
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rendered = renderError(err, String(req.id));
    if (rendered.status >= 500) deps.logger.error({ requestId: req.id, err: err instanceof Error ? err.stack : String(err) });
    const payload = JSON.stringify(deps.errorShape(rendered.status, rendered.body));
    res.writeHead(rendered.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': String(req.id),
      ...(rendered.retryAfterSeconds !== undefined && { 'retry-after': String(rendered.retryAfterSeconds) }),
    });
    res.end(payload);
  }
}

export function sendJson(res: ServerResponse, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

/** The models a key may use: priced along its chain, served by a channel, and allowed to the key. */
export async function visibleModels(quoter: ChainQuoter, channels: RelayChannelSource, principal: KeyPrincipal): Promise<string[]> {
  const chain = await quoter.chainOf(principal.accountId);
  const served = await channels.servedModels();
  return [...chain.pricing.catalog.keys()].filter((m) => served.has(m) && (principal.models.length === 0 || principal.models.includes(m))).sort();
}

/** The relay's caller: the key's principal, and the channel the request pins, if any. */
export function callerOf(principal: KeyPrincipal, req: FastifyRequest): RelayCaller {
  return { ...principal, pinnedChannelId: pinnedChannelOf(req) };
}

/** The channel a request pins with X-Tiergate-Channel; only honoured for keys that allow it. */
function pinnedChannelOf(req: FastifyRequest): string | undefined {
  const raw = req.headers['x-tiergate-channel'];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value && value.trim() !== '' ? value.trim() : undefined;
}
