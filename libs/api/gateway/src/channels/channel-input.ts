import { InvalidInputError } from '@tiergate/api-core';
import { MODEL_NAME } from '@tiergate/api-pricing';

/**
 * An upstream base URL: http(s), no credentials (those go in the keys, which are encrypted),
 * no fragment; a trailing slash is dropped so paths join predictably.
 */
export function normalizeBaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidInputError('invalid_base_url', `baseUrl "${raw}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError('invalid_base_url', 'baseUrl must be an http(s) URL');
  if (url.username || url.password) throw new InvalidInputError('invalid_base_url', 'baseUrl must not carry credentials; send them as keys');
  if (url.hash) throw new InvalidInputError('invalid_base_url', 'baseUrl must not have a #fragment');
  return url.toString().replace(/\/+$/, '');
}

/**
 * Upstream names are the vendor's business (deployment names, paths, tags such as `model@v2`),
 * so they only need to be printable, without spaces, and bounded.
 */
const UPSTREAM_MODEL_NAME = /^[\x21-\x7e]{1,200}$/;

/** Public name → upstream name; every public name must be one the channel serves. */
export function normalizeModelMapping(mapping: unknown, models: readonly string[]): Record<string, string> {
  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) {
    throw new InvalidInputError('invalid_model_mapping', 'modelMapping must be an object of public name → upstream name');
  }
  const served = new Set(models);
  const out: Record<string, string> = {};
  for (const [from, to] of Object.entries(mapping as Record<string, unknown>)) {
    if (!MODEL_NAME.test(from)) throw new InvalidInputError('invalid_model_mapping', `modelMapping: "${from}" is not a valid model name`);
    if (typeof to !== 'string' || !UPSTREAM_MODEL_NAME.test(to)) {
      throw new InvalidInputError('invalid_model_mapping', `modelMapping: the upstream name for "${from}" is not a valid model name`);
    }
    if (!served.has(from)) {
      throw new InvalidInputError('invalid_model_mapping', `modelMapping: "${from}" is not among the channel's models; add it to models or drop the mapping`);
    }
    out[from] = to;
  }
  return out;
}

/** Tags: trimmed, non-empty, printable, duplicates dropped. */
export function normalizeTags(tags: readonly string[]): string[] {
  const out = tags.map((t) => t.trim());
  for (const tag of out) {
    if (!tag || /[\p{Cc}]/u.test(tag)) throw new InvalidInputError('invalid_tag', `"${tag}" is not a valid tag`);
  }
  return [...new Set(out)];
}
