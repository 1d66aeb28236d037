import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { isIpAddress, parseCidr } from './ip-address.js';
import { check, checkIssue, type BadCase, type Case } from './table-harness.js';

const cases: Case[] = [
  { name: 'IpAddress inside an IPv4 range', op: 'IpAddress', values: ['203.0.113.0/24'], value: '203.0.113.77', want: true },
  { name: 'IpAddress outside an IPv4 range', op: 'IpAddress', values: ['203.0.113.0/24'], value: '203.0.114.1', want: false },
  { name: 'IpAddress single IPv4 address is /32', op: 'IpAddress', values: ['203.0.113.5'], value: '203.0.113.5', want: true },
  { name: 'IpAddress single IPv4 address rejects its neighbour', op: 'IpAddress', values: ['203.0.113.5'], value: '203.0.113.6', want: false },
  { name: 'IpAddress /0 matches every IPv4 address', op: 'IpAddress', values: ['0.0.0.0/0'], value: '198.51.100.1', want: true },
  { name: 'IpAddress host bits in the range are ignored', op: 'IpAddress', values: ['10.1.2.3/8'], value: '10.200.0.1', want: true },
  { name: 'IpAddress odd prefix', op: 'IpAddress', values: ['192.168.0.0/23'], value: '192.168.1.255', want: true },
  { name: 'IpAddress odd prefix rejects', op: 'IpAddress', values: ['192.168.0.0/23'], value: '192.168.2.0', want: false },
  { name: 'IpAddress IPv6 range', op: 'IpAddress', values: ['2001:DB8:1234:5678::/64'], value: '2001:db8:1234:5678:abcd::1', want: true },
  { name: 'IpAddress IPv6 range rejects', op: 'IpAddress', values: ['2001:DB8:1234:5678::/64'], value: '2001:db8:1234:5679::1', want: false },
  { name: 'IpAddress IPv6 single address is /128', op: 'IpAddress', values: ['2001:db8::1'], value: '2001:0db8:0000:0000:0000:0000:0000:0001', want: true },
  { name: 'IpAddress IPv6 prefix inside a word', op: 'IpAddress', values: ['2001:db8::/33'], value: '2001:db8:7fff::1', want: true },
  { name: 'IpAddress IPv6 prefix inside a word rejects', op: 'IpAddress', values: ['2001:db8::/33'], value: '2001:db8:8000::1', want: false },
  { name: 'IpAddress IPv6 ::/0 matches IPv6', op: 'IpAddress', values: ['::/0'], value: 'fe80::1', want: true },
  { name: 'IpAddress IPv6 ::/0 does not match IPv4', op: 'IpAddress', values: ['::/0'], value: '10.0.0.1', want: false },
  { name: 'IpAddress IPv4 range does not match an IPv4-mapped IPv6 address', op: 'IpAddress', values: ['10.0.0.0/8'], value: '::ffff:10.0.0.1', want: false },
  { name: 'IpAddress mixed IPv4 and IPv6 ranges', op: 'IpAddress', values: ['203.0.113.0/24', '2001:DB8:1234:5678::/64'], value: '2001:db8:1234:5678::9', want: true },
  { name: 'IpAddress request value that is not an address', op: 'IpAddress', values: ['0.0.0.0/0'], value: 'localhost', want: false },
  { name: 'IpAddress request value with a prefix is not an address', op: 'IpAddress', values: ['0.0.0.0/0'], value: '10.0.0.0/8', want: false },
  { name: 'IpAddress on a missing key is false', op: 'IpAddress', values: ['0.0.0.0/0'], want: false },
  { name: 'NotIpAddress outside the range', op: 'NotIpAddress', values: ['203.0.113.0/24'], value: '198.51.100.1', want: true },
  { name: 'NotIpAddress inside the range', op: 'NotIpAddress', values: ['203.0.113.0/24'], value: '203.0.113.1', want: false },
  { name: 'NotIpAddress inside one of several ranges', op: 'NotIpAddress', values: ['10.0.0.0/8', '203.0.113.0/24'], value: '203.0.113.1', want: false },
  { name: 'NotIpAddress on a missing key is true', op: 'NotIpAddress', values: ['203.0.113.0/24'], want: true },
  { name: 'IpAddressIfExists on a missing key is true', op: 'IpAddressIfExists', values: ['203.0.113.0/24'], want: true },
  { name: 'NotIpAddressIfExists on a present key compares', op: 'NotIpAddressIfExists', values: ['203.0.113.0/24'], value: '203.0.113.9', want: false },
];

describe('IP address condition operators', () => {
  for (const c of cases) it(c.name, () => check(c));
});

describe('IP address values that are not ranges', () => {
  const bad: BadCase[] = [
    { name: 'an octet above 255', op: 'IpAddress', values: ['256.0.0.0/8'], index: 0 },
    { name: 'a prefix above 32', op: 'IpAddress', values: ['10.0.0.0/33'], index: 0 },
    { name: 'a prefix above 128', op: 'NotIpAddress', values: ['::/129'], index: 0 },
    { name: 'a missing prefix', op: 'IpAddress', values: ['10.0.0.0/'], index: 0 },
    { name: 'three octets', op: 'IpAddress', values: ['10.0.0/24'], index: 0 },
    { name: 'two :: in IPv6', op: 'IpAddress', values: ['1::2::3'], index: 0 },
    { name: 'a hostname', op: 'IpAddress', values: ['10.0.0.0/8', 'example.com'], index: 1 },
    { name: 'a number', op: 'IpAddress', values: [10], index: 0 },
    { name: 'a wildcard', op: 'IpAddress', values: ['10.0.*.*'], index: 0 },
  ];
  for (const c of bad) it(`reports ${c.name}`, () => checkIssue(c));
});

describe('IPv6 parsing', () => {
  const ok = ['::', '::1', '1::', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '::ffff:1.2.3.4', '64:ff9b::192.0.2.33', 'FE80::A'];
  const bad = [':', ':::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '12345::', '1::2::3', ':1::', '1:', 'g::1', '::1.2.3', '1.2.3.4::', 'fe80::1%eth0', '1:2:3:4:5:6:7::8'];
  for (const s of ok) it(`accepts ${s}`, () => assert.equal(isIpAddress(s), true));
  for (const s of bad) it(`rejects ${s}`, () => assert.equal(isIpAddress(s), false));
  it('expands :: in the middle', () => {
    const r = parseCidr('1:2::7:8');
    assert.deepEqual(r && Array.from(r.net), [0x00010002, 0, 0, 0x00070008]);
  });
  it('reads an embedded IPv4 address', () => {
    const r = parseCidr('::ffff:1.2.3.4');
    assert.deepEqual(r && Array.from(r.net), [0, 0, 0xffff, 0x01020304]);
  });
});
