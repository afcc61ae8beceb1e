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
    const text = this.pending + chunk;
    const events: SseEvent[] = [];
    // Scan from an offset and cut once at the end: an upstream chunk often holds many events.
    let start = 0;
    for (;;) {
      const end = eventEnd(text, start);
      if (end < 0) break;
      const event = parseEvent(text.slice(start, end));
      if (event) events.push(event);
      start = end;
    }
    this.pending = start === 0 ? text : text.slice(start);
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

/** Index just past the blank line ending the event that starts at `from`, or -1. */
function eventEnd(text: string, from: number): number {
  for (let i = text.indexOf('\n', from); i >= 0; i = text.indexOf('\n', i + 1)) {
    // "\n\n" or "\n\r\n" ends an event ("\r\n\r\n" is the latter preceded by "\r").
    if (text.charCodeAt(i + 1) === 10) return i + 2;
    if (text.charCodeAt(i + 1) === 13 && text.charCodeAt(i + 2) === 10) return i + 3;
  }
  return -1;
}

/** The event's name and data lines, read by offset (this runs on every frame of every stream). */
function parseEvent(raw: string): SseEvent | null {
  let name: string | undefined;
  let data: string | undefined;
  for (let pos = 0; pos < raw.length; ) {
    const newline = raw.indexOf('\n', pos);
    const next = newline < 0 ? raw.length : newline;
    // A line ends at "\n" or "\r\n".
    const lineEnd = next > pos && raw.charCodeAt(next - 1) === 13 ? next - 1 : next;
    if (raw.startsWith('data:', pos)) {
      const from = pos + 5 < lineEnd && raw.charCodeAt(pos + 5) === 32 ? pos + 6 : pos + 5;
      const line = raw.slice(from, Math.max(from, lineEnd));
      data = data === undefined ? line : `${data}\n${line}`;
    } else if (raw.startsWith('event:', pos)) {
      name = raw.slice(pos + 6, Math.max(pos + 6, lineEnd)).trim();
    }
    pos = next + 1;
  }
  if (name === undefined && data === undefined) return null;
  return { ...(name !== undefined && { event: name }), data: data ?? '', raw };
}

export function sseData(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}
