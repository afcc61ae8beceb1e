import { InvalidInputError } from '@tiergate/api-core';
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** An address as clients reach us over IPv6 sockets (::ffff:a.b.c.d) is the IPv4 address. */
function plainAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

interface IpEntry {
  address: string;
  family: 'ipv4' | 'ipv6';
  /** null = a single address. */
  prefix: number | null;
}

function parseEntry(raw: string): IpEntry {
  const entry = raw.trim();
  const slash = entry.indexOf('/');
  const address = plainAddress(slash === -1 ? entry : entry.slice(0, slash));
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : null;
  if (!family) throw new InvalidInputError('invalid_ip_allow_list', `"${raw}" is not an IP address or CIDR block`);
  if (slash === -1) return { address: address.toLowerCase(), family, prefix: null };
  const bits = entry.slice(slash + 1);
  const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= (family === 'ipv4' ? 32 : 128))) {
    throw new InvalidInputError('invalid_ip_allow_list', `"${raw}" has an invalid prefix length`);
  }
  return { address: address.toLowerCase(), family, prefix };
}

/**
 * Checks and canonicalises an allow-list as given by a client: trimmed, lower-cased,
 * IPv4-mapped addresses unwrapped, duplicates dropped. Throws InvalidInputError on a bad entry.
 */
export function normalizeAllowList(entries: readonly string[]): string[] {
  const out = entries.map(parseEntry).map((e) => (e.prefix === null ? e.address : `${e.address}/${e.prefix}`));
  return [...new Set(out)];
}

/** A compiled allow-list; null stands for "any address". */
export type IpAllowList = BlockList | null;

export function compileAllowList(entries: readonly string[]): IpAllowList {
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const e of entries.map(parseEntry)) {
    if (e.prefix === null) list.addAddress(e.address, e.family);
    else list.addSubnet(e.address, e.prefix, e.family);
  }
  return list;
}

/** True when `ip` may use the key. An address that does not parse never matches a non-empty list. */
export function isIpAllowed(list: IpAllowList, ip: string): boolean {
  if (list === null) return true;
  const address = plainAddress(ip.trim().replace(/%.*$/, ''));
  if (isIPv4(address)) return list.check(address, 'ipv4');
  if (isIPv6(address)) return list.check(address, 'ipv6');
  return false;
}
