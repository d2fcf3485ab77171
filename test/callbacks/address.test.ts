import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPublicAddress } from '../../src/callbacks/index.js';

test('loopback, private, link-local, CGNAT, multicast and reserved IPv4 addresses are not public', () => {
  for (const a of ['127.0.0.1', '127.255.0.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', '255.255.255.255', '192.0.2.10', '198.18.0.1']) {
    assert.equal(isPublicAddress(a), false, a);
  }
});

test('ordinary internet IPv4 addresses are public, including neighbours of private ranges', () => {
  for (const a of ['8.8.8.8', '1.1.1.1', '172.15.255.255', '172.32.0.1', '100.128.0.1', '192.169.0.1', '11.0.0.1']) {
    assert.equal(isPublicAddress(a), true, a);
  }
});

test('IPv6 loopback, unique-local, link-local, multicast and documentation addresses are not public', () => {
  for (const a of ['::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1', '[::1]', '2001:0:4136:e378::1']) {
    assert.equal(isPublicAddress(a), false, a);
  }
});

test('IPv6 forms that embed an IPv4 address are judged by it', () => {
  assert.equal(isPublicAddress('::ffff:127.0.0.1'), false);
  assert.equal(isPublicAddress('::ffff:7f00:1'), false);
  assert.equal(isPublicAddress('::ffff:10.0.0.1'), false);
  assert.equal(isPublicAddress('64:ff9b::a9fe:a9fe'), false, 'NAT64 of 169.254.169.254');
  assert.equal(isPublicAddress('2002:c0a8:0101::1'), false, '6to4 of 192.168.1.1');
  assert.equal(isPublicAddress('::ffff:8.8.8.8'), true);
  assert.equal(isPublicAddress('2002:0808:0808::1'), true, '6to4 of 8.8.8.8');
});

test('global unicast IPv6 is public; names and garbage are not addresses at all', () => {
  assert.equal(isPublicAddress('2606:4700:4700::1111'), true);
  assert.equal(isPublicAddress('2a00:1450:4001:80b::200e'), true);
  for (const a of ['example.com', '', 'localhost', '1.2.3', '::g']) assert.equal(isPublicAddress(a), false, a);
});
