import { InvalidInputError } from '@tiergate/api-core';
import { describe, expect, it } from 'vitest';
import { compileAllowList, isIpAllowed, normalizeAllowList } from './ip-allow-list.js';

const allows = (entries: string[], ip: string) => isIpAllowed(compileAllowList(entries), ip);

describe('IP allow-lists', () => {
  it('lets any address through when the list is empty', () => {
    expect(compileAllowList([])).toBeNull();
    expect(allows([], '203.0.113.7')).toBe(true);
    expect(allows([], '2001:db8::1')).toBe(true);
  });

  it('matches single IPv4 and IPv6 addresses exactly', () => {
    expect(allows(['203.0.113.7'], '203.0.113.7')).toBe(true);
    expect(allows(['203.0.113.7'], '203.0.113.8')).toBe(false);
    expect(allows(['2001:db8::1'], '2001:0db8:0:0:0:0:0:1')).toBe(true);
    expect(allows(['2001:db8::1'], '2001:db8::2')).toBe(false);
  });

  it('matches IPv4 CIDR blocks, edges included', () => {
    const list = ['10.0.0.0/8', '192.168.1.0/24'];
    expect(allows(list, '10.255.255.255')).toBe(true);
    expect(allows(list, '11.0.0.0')).toBe(false);
    expect(allows(list, '192.168.1.0')).toBe(true);
    expect(allows(list, '192.168.1.255')).toBe(true);
    expect(allows(list, '192.168.2.1')).toBe(false);
    expect(allows(['198.51.100.17/32'], '198.51.100.17')).toBe(true);
    expect(allows(['198.51.100.17/32'], '198.51.100.16')).toBe(false);
    expect(allows(['0.0.0.0/0'], '8.8.8.8')).toBe(true);
  });

  it('matches IPv6 CIDR blocks', () => {
    expect(allows(['2001:db8::/32'], '2001:db8:ffff::1')).toBe(true);
    expect(allows(['2001:db8::/32'], '2001:db9::1')).toBe(false);
  });

  it('treats IPv4-mapped IPv6 client addresses as IPv4', () => {
    expect(allows(['10.0.0.0/8'], '::ffff:10.1.2.3')).toBe(true);
    expect(allows(['127.0.0.1'], '::ffff:127.0.0.1')).toBe(true);
    expect(allows(['10.0.0.0/8'], '::ffff:11.1.2.3')).toBe(false);
  });

  it('never matches an address that does not parse', () => {
    expect(allows(['10.0.0.0/8'], 'not-an-ip')).toBe(false);
    expect(allows(['10.0.0.0/8'], '')).toBe(false);
  });

  it('does not mix families', () => {
    expect(allows(['10.0.0.0/8'], '2001:db8::1')).toBe(false);
    expect(allows(['2001:db8::/32'], '10.0.0.1')).toBe(false);
  });

  it('normalises entries: trimmed, lower-cased, mapped IPv4 unwrapped, duplicates dropped', () => {
    expect(normalizeAllowList([' 10.0.0.0/8 ', '2001:DB8::1', '::ffff:1.2.3.4', '10.0.0.0/8'])).toEqual(['10.0.0.0/8', '2001:db8::1', '1.2.3.4']);
  });

  it('refuses entries that are not addresses or blocks', () => {
    for (const bad of ['', 'example.com', '10.0.0.0/33', '2001:db8::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '01.2.3.4', 'fe80::1%eth0', '1.2.3.4/ 8']) {
      expect(() => normalizeAllowList([bad]), bad).toThrow(InvalidInputError);
    }
  });
});
