/** One server-sent event: its name (if any), its joined data lines, and its exact bytes. */
export interface SseEvent {
  event?: string;
  data: string;
  raw: string;
}

/**
 * Splits a server-sent-events byte stream into whole events however the bytes arrive (per-stream
 * state: the unfinished tail). Accepts `\n\n` and `\r\n\r\n` separators, as Gemini uses the latter.
 */
export class SseReader {
  private pending = '';

  push(chunk: string): SseEvent[] {
    this.pending += chunk;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r?\n\r?\n/.exec(this.pending);
      if (!match) break;
      const raw = this.pending.slice(0, match.index + match[0].length);
      this.pending = this.pending.slice(match.index + match[0].length);
      const event = parseEvent(raw);
      if (event) events.push(event);
    }
    return events;
  }

  /** The last event when the stream ended without its blank line (may be cut off: callers check). */
  end(): SseEvent[] {
    const rest = this.pending;
    this.pending = '';
    if (rest.trim() === '') return [];
    const event = parseEvent(rest + '\n\n');
    return event ? [event] : [];
  }
}

function parseEvent(raw: string): SseEvent | null {
  let name: string | undefined;
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (name === undefined && data.length === 0) return null;
  return { ...(name !== undefined && { event: name }), data: data.join('\n'), raw };
}

export function sseData(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}
