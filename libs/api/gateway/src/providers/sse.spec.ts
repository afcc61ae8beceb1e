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

  it('finds the same events however the bytes are split, separators included', () => {
    const text = 'data: a\n\ndata: b\r\n\r\ndata: c\r\n\ndata: d\n\r\nevent: e\ndata: {}\n\n';
    const whole = new SseReader().push(text);
    expect(whole.map((e) => e.data)).toEqual(['a', 'b', 'c', 'd', '{}']);
    for (const size of [1, 2, 3, 7]) {
      const reader = new SseReader();
      const events = [];
      for (let i = 0; i < text.length; i += size) events.push(...reader.push(text.slice(i, i + size)));
      events.push(...reader.end());
      expect(events).toEqual(whole);
    }
  });

  it('reads data lines with and without the space, empty ones included, and ignores other fields', () => {
    const events = new SseReader().push('id: 7\ndata:x\ndata:\ndata: \nretry: 5\n\nevent:  ping \r\n\r\n');
    expect(events).toEqual([
      { data: 'x\n\n', raw: 'id: 7\ndata:x\ndata:\ndata: \nretry: 5\n\n' },
      { event: 'ping', data: '', raw: 'event:  ping \r\n\r\n' },
    ]);
  });
});
