import { isRecord, parseJson } from './canonical.js';

/** Past this many characters of held events a decoder reads them at once (see UnreadEvents). */
export const UNREAD_LIMIT_CHARS = 64 * 1024;

/**
 * The data of stream events a pass-through decoder did not parse as they went by, in stream
 * order, handed to `read` only when someone needs what they delivered (billing a cut stream) —
 * or once they hold more than `limit` characters: held events keep the stream's bytes alive, and
 * long answers on many concurrent streams must not pile up in memory.
 */
export class UnreadEvents {
  private items: string[] = [];
  private chars = 0;

  constructor(
    private readonly read: (json: Record<string, unknown>) => void,
    private readonly limit = UNREAD_LIMIT_CHARS,
  ) {}

  push(data: string): void {
    this.items.push(data);
    this.chars += data.length;
    if (this.chars > this.limit) this.flush();
  }

  /** Reads every held event, in order, and lets them go. */
  flush(): void {
    const items = this.items;
    this.items = [];
    this.chars = 0;
    for (const data of items) {
      const json = parseJson(data);
      if (isRecord(json)) this.read(json);
    }
  }
}
