import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a surface handler answers: one JSON body, or the frames of an event stream. */
export type Answer = { kind: 'json'; status: number; body: string } | { kind: 'stream'; contentType: string; frames: string[] };

export const SSE = 'text/event-stream; charset=utf-8';
export const JSON_TYPE = 'application/json';

export function json(body: unknown, status = 200): Answer {
  return { kind: 'json', status, body: JSON.stringify(body) };
}

/** Reads the whole request body (one Buffer, no copy when it arrived in one chunk). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let first: Buffer | undefined;
    let rest: Buffer[] | undefined;
    req.on('data', (chunk: Buffer) => {
      if (first === undefined) first = chunk;
      else (rest ??= [first]).push(chunk);
    });
    req.on('end', () => resolve(rest ? Buffer.concat(rest) : (first ?? EMPTY)));
    req.on('error', reject);
  });
}

const EMPTY = Buffer.alloc(0);

export function sendJson(res: ServerResponse, status: number, body: string, extra?: Record<string, string>): void {
  if (res.destroyed) return;
  const headers: Record<string, string | number> = { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) };
  if (extra) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(body);
}

/** Closes the connection without finishing the response: the client sees the body end abruptly. */
export function cutConnection(res: ServerResponse): void {
  const socket = res.socket;
  if (!socket || socket.destroyed) return;
  // Wait for what was written to reach the kernel, then close without the terminating chunk.
  socket.destroySoon();
}

/**
 * Writes a stream answer. Without pacing or a cut it is one write of all frames; otherwise
 * frame by frame, `chunkDelayMs` apart, closing the socket after `disconnectAfter` frames.
 */
export async function sendFrames(
  res: ServerResponse,
  contentType: string,
  frames: readonly string[],
  chunkDelayMs: number,
  disconnectAfter: number | undefined,
): Promise<void> {
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
  const cutAt = disconnectAfter !== undefined && disconnectAfter < frames.length ? disconnectAfter : -1;
  if (chunkDelayMs <= 0 && cutAt < 0) {
    res.end(frames.length === 1 ? frames[0] : frames.join(''));
    return;
  }
  for (let i = 0; i < frames.length; i++) {
    if (i === cutAt) {
      if (i === 0) res.flushHeaders();
      cutConnection(res);
      return;
    }
    if (i > 0 && chunkDelayMs > 0) await sleep(chunkDelayMs);
    if (res.destroyed) return;
    res.write(frames[i]);
  }
  res.end();
}

const BLANK_LINE = /\r?\n\r?\n/;
const LINE_END = /\r?\n/;

/** `event:`/`data:` frames of an event stream, as read back by specs and other tests. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Parses an SSE body (LF or CRLF line ends) into its events; comment lines are skipped. */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(BLANK_LINE)) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split(LINE_END)) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return events;
}
