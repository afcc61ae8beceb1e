import { readFileSync } from 'node:fs';

/** A recorded wire body from a provider folder's `__fixtures__/` (for the golden specs). */
export function readFixture(folder: string, name: string): string {
  return readFileSync(new URL(`./${folder}/__fixtures__/${name}`, import.meta.url), 'utf8');
}

export function readJsonFixture(folder: string, name: string): Record<string, unknown> {
  return JSON.parse(readFixture(folder, name)) as Record<string, unknown>;
}

/** Feeds a stream in pieces of `size` characters, as sockets split them. */
export function feed<T>(text: string, size: number, push: (piece: string) => T[], end: () => T[]): T[] {
  const out: T[] = [];
  for (let i = 0; i < text.length; i += size) out.push(...push(text.slice(i, i + size)));
  out.push(...end());
  return out;
}
