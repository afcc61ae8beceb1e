import { describe, expect, it } from 'vitest';
import { UnreadEvents } from './unread-events.js';

describe('UnreadEvents', () => {
  it('reads held events only when flushed, in order, skipping what is not a JSON object', () => {
    const read: unknown[] = [];
    const unread = new UnreadEvents((json) => read.push(json['n']), 1000);
    for (const data of ['{"n":1}', 'not json', '[2]', '{"n":3}']) unread.push(data);
    expect(read).toEqual([]);
    unread.flush();
    expect(read).toEqual([1, 3]);
    unread.flush();
    expect(read).toEqual([1, 3]);
  });

  it('reads what it holds as soon as it passes its limit, so a long stream never holds more than that', () => {
    const read: number[] = [];
    const unread = new UnreadEvents((json) => read.push(json['n'] as number), 100);
    const event = (n: number) => JSON.stringify({ n, pad: 'x'.repeat(20) }); // ~35 characters
    for (let n = 1; n <= 3; n++) unread.push(event(n));
    expect(read).toEqual([1, 2, 3]); // 3 × ~35 > 100
    for (let n = 4; n <= 5; n++) unread.push(event(n));
    expect(read).toEqual([1, 2, 3]);
    unread.flush();
    expect(read).toEqual([1, 2, 3, 4, 5]);
  });
});
