import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPublicAddress } from '#domain/address-policy';

/** The SSRF guard on callback delivery: only globally reachable unicast addresses pass. */

describe('public addresses pass', () => {
  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '52.48.0.25',
    '100.63.255.255', // just below CGNAT
    '100.128.0.0', // just above CGNAT
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above
    '169.253.255.255',
    '169.255.0.1',
    '192.167.255.255',
    '192.169.0.1',
    '198.17.255.255',
    '198.20.0.1',
    '223.255.255.255', // last unicast before multicast
    '11.0.0.1',
    '126.255.255.255',
    '128.0.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001:80b::200e',
    '2001:200::1', // just above 2001::/23
    '2600::',
    '3ffe:ffff::1', // just below 3fff::/20
    '::ffff:8.8.8.8', // IPv4-mapped public
    '::ffff:808:808', // the same in hex
    '0:0:0:0:0:ffff:808:808',
    '::FFFF:8.8.8.8',
    '64:ff9b::8.8.8.8', // NAT64 of a public address
    '64:ff9b::808:808',
    '2002:808:808::1', // 6to4 of a public address
  ])('%s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('IPv4 special-purpose ranges are refused', () => {
  it.each([
    ['unspecified', '0.0.0.0'],
    ['this network', '0.1.2.3'],
    ['this network, top', '0.255.255.255'],
    ['private 10/8', '10.0.0.1'],
    ['private 10/8, top', '10.255.255.255'],
    ['private 172.16/12', '172.16.0.1'],
    ['private 172.16/12, top', '172.31.255.255'],
    ['private 192.168/16', '192.168.1.1'],
    ['private 192.168/16, top', '192.168.255.255'],
    ['loopback', '127.0.0.1'],
    ['loopback, anywhere in 127/8', '127.1.2.3'],
    ['loopback, top', '127.255.255.255'],
    ['link-local', '169.254.0.1'],
    ['cloud metadata', '169.254.169.254'],
    ['ECS task metadata', '169.254.170.2'],
    ['CGNAT', '100.64.0.1'],
    ['CGNAT, top', '100.127.255.255'],
    ['IETF protocol assignments', '192.0.0.1'],
    ['NAT64 discovery', '192.0.0.170'],
    ['TEST-NET-1', '192.0.2.1'],
    ['6to4 relay anycast', '192.88.99.1'],
    ['benchmarking', '198.18.0.1'],
    ['benchmarking, top', '198.19.255.255'],
    ['TEST-NET-2', '198.51.100.7'],
    ['TEST-NET-3', '203.0.113.9'],
    ['multicast', '224.0.0.1'],
    ['multicast, top', '239.255.255.255'],
    ['reserved', '240.0.0.1'],
    ['broadcast', '255.255.255.255'],
  ])('%s: %s', (_name, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('IPv6 special-purpose ranges are refused', () => {
  it.each([
    ['unspecified', '::'],
    ['unspecified, long form', '0:0:0:0:0:0:0:0'],
    ['loopback', '::1'],
    ['loopback, long form', '0:0:0:0:0:0:0:1'],
    ['loopback, leading zeros', '0000:0000:0000:0000:0000:0000:0000:0001'],
    ['link-local', 'fe80::1'],
    ['link-local, top of fe80::/10', 'febf:ffff::1'],
    ['link-local with a zone', 'fe80::1%eth0'],
    ['a zone on any address', '2001:4860::1%1'],
    ['site-local (deprecated)', 'fec0::1'],
    ['unique-local fc00::/7', 'fc00::1'],
    ['unique-local fd00::/8', 'fd12:3456:789a::1'],
    ['AWS metadata over IPv6', 'fd00:ec2::254'],
    ['AWS metadata, upper case long form', 'FD00:0EC2:0000:0000:0000:0000:0000:0254'],
    ['multicast', 'ff02::1'],
    ['multicast, global scope', 'ff0e::101'],
    ['discard-only', '100::1'],
    ['documentation', '2001:db8::1'],
    ['documentation 3fff::/20', '3fff::1'],
    ['Teredo', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['benchmarking', '2001:2::1'],
    ['ORCHIDv2', '2001:20::1'],
    ['unallocated (outside 2000::/3)', '4000::1'],
    ['unallocated (below 2000::/3)', '1fff:ffff::1'],
    ['local-use NAT64', '64:ff9b:1::a00:1'],
  ])('%s: %s', (_name, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('IPv4 addresses hidden in IPv6 forms are judged by the IPv4 address', () => {
  it.each([
    ['mapped loopback', '::ffff:127.0.0.1'],
    ['mapped loopback, hex', '::ffff:7f00:1'],
    ['mapped loopback, upper case', '::FFFF:7F00:0001'],
    ['mapped loopback, long form', '0:0:0:0:0:ffff:7f00:1'],
    ['mapped loopback, long form dotted', '0:0:0:0:0:ffff:127.0.0.1'],
    ['mapped loopback, zero-padded', '0000:0000:0000:0000:0000:ffff:7f00:0001'],
    ['mapped private', '::ffff:10.0.0.1'],
    ['mapped private, hex', '::ffff:a00:1'],
    ['mapped metadata', '::ffff:169.254.169.254'],
    ['mapped metadata, hex', '::ffff:a9fe:a9fe'],
    ['mapped CGNAT', '::ffff:100.64.0.1'],
    ['mapped unspecified', '::ffff:0.0.0.0'],
    ['mapped broadcast', '::ffff:255.255.255.255'],
    ['translated (SIIT) loopback', '::ffff:0:127.0.0.1'],
    ['translated (SIIT) private', '::ffff:0:a00:1'],
    ['IPv4-compatible loopback', '::127.0.0.1'],
    ['IPv4-compatible private', '::10.0.0.1'],
    ['IPv4-compatible public (deprecated form)', '::8.8.8.8'],
    ['NAT64 loopback', '64:ff9b::127.0.0.1'],
    ['NAT64 private', '64:ff9b::a00:1'],
    ['NAT64 metadata', '64:ff9b::a9fe:a9fe'],
    ['6to4 loopback', '2002:7f00:1::1'],
    ['6to4 private', '2002:a00:1::'],
    ['6to4 private 192.168', '2002:c0a8:101::1'],
    ['6to4 metadata', '2002:a9fe:a9fe::1'],
    ['6to4 unspecified', '2002::1'],
  ])('%s: %s', (_name, ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('odd notations are not addresses and are refused', () => {
  it.each([
    '',
    'localhost',
    'example.com',
    '127.1', // short form, 127.0.0.1 to inet_aton
    '0x7f.0.0.1', // hexadecimal octet
    '0x7f000001',
    '2130706433', // 127.0.0.1 as one decimal number
    '017700000001', // the same in octal
    '0177.0.0.1', // octal octet
    '127.000.000.001', // zero-padded octets
    '08.8.8.8',
    '8.8.8.8.', // trailing dot
    ' 8.8.8.8', // surrounding space
    '8.8.8.8 ',
    '256.1.1.1',
    '1.2.3',
    '[::1]', // bracketed, as in a URL
    '[2606:4700:4700::1111]',
    '::ffff:127.000.0.1',
    '1::2::3',
    '12345::1',
    'gggg::1',
    '::ffff:1.2.3',
    '8.8.8.8/32',
    '8.8.8.8:443',
  ])('%j', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });
});

describe('properties', () => {
  it('an IPv4 address and its IPv4-mapped forms are judged alike', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number);
        const hex = `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
        expect(isPublicAddress(`::ffff:${ip}`)).toBe(isPublicAddress(ip));
        expect(isPublicAddress(hex)).toBe(isPublicAddress(ip));
        expect(isPublicAddress(`64:ff9b::${ip}`)).toBe(isPublicAddress(ip));
      }),
    );
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4Extended(), fc.ipV6()), (input) => {
        expect(typeof isPublicAddress(input)).toBe('boolean');
      }),
    );
  });

  it('an IPv6 address answers the same in upper and lower case', () => {
    fc.assert(
      fc.property(fc.ipV6(), (ip) => {
        expect(isPublicAddress(ip.toUpperCase())).toBe(isPublicAddress(ip.toLowerCase()));
      }),
    );
  });
});
