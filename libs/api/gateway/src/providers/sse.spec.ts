import { describe, expect, it } from 'vitest';
import { SseReader } from './sse.js';

describe('SseReader', () => {
  it('splits on LF and CRLF blank lines, joins multi-line data and keeps the exact bytes', () => {
    const text = 'event: a\ndata: {"x":1}\n\ndata: one\ndata: two\r\n\r\n: comment only\n\ndata: last';
    const reader = new SseReader();
    const events = [...reader.push(text), ...reader.end()];
    expect(events).toEqual([
      { event: 'a', data: '{"x":1}', raw: 'event: a\ndata: {"x":1}\n\n' },
      { data: 'one\ntwo', raw: 'data: one\ndata: two\r\n\r\n' },
      { data: 'last', raw: 'data: last\n\n' },
    ]);
  });
});
