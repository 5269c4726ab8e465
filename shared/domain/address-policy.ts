import { BlockList, isIP } from 'node:net';

/**
 * Which IP addresses a callback may be delivered to: the SSRF guard the callback sender applies to
 * every address a host resolves to, on every attempt. Only globally reachable unicast passes; what a
 * customer could use to make openverify reach into its own network (private, loopback, link-local,
 * CGNAT, unique-local, cloud metadata) or that no receiver can live on (multicast, reserved,
 * documentation, benchmarking) is refused, and so is any IPv6 form that carries such an IPv4 address
 * inside it (IPv4-mapped, NAT64, 6to4), since the kernel or a translator would deliver to the IPv4 one.
 *
 * Anything that is not a plain IPv4 dotted quad or an IPv6 address (`0x7f.1`, `2130706433`,
 * `0177.0.0.1`, a host name) is refused: a resolver never returns those, and a parser elsewhere might
 * read them differently than this one does.
 */

/** IPv4 ranges that are not globally reachable unicast (IANA IPv4 special-purpose registry). */
const IPV4_REFUSED: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network", includes the unspecified address
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, includes the cloud metadata service 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (DS-Lite, NAT64 discovery, …)
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes the limited broadcast 255.255.255.255
];

/**
 * Refused inside 2000::/3, the only IPv6 block allocated for global unicast (everything outside it
 * is refused before this list is read, which covers ::, ::1, fe80::/10, fc00::/7 with the AWS
 * metadata address fd00:ec2::254, ff00::/8 and the rest).
 */
const IPV6_REFUSED_GLOBAL: ReadonlyArray<readonly [string, number]> = [
  ['2001::', 23], // IETF protocol assignments: Teredo (2001::/32), benchmarking, ORCHID, …
  ['2001:db8::', 32], // documentation
  ['3fff::', 20], // documentation (RFC 9637)
];

const ipv4Refused = new BlockList();
for (const [network, prefix] of IPV4_REFUSED) ipv4Refused.addSubnet(network, prefix, 'ipv4');
const ipv6RefusedGlobal = new BlockList();
for (const [network, prefix] of IPV6_REFUSED_GLOBAL) ipv6RefusedGlobal.addSubnet(network, prefix, 'ipv6');

/** Whether a callback may be sent to this address. */
export function isPublicAddress(ip: string): boolean {
  switch (isIP(ip)) {
    case 4:
      return isPublicIpv4(ip);
    case 6:
      return isPublicIpv6(ip);
    default:
      return false;
  }
}

function isPublicIpv4(ip: string): boolean {
  return !ipv4Refused.check(ip, 'ipv4');
}

function isPublicIpv6(ip: string): boolean {
  // A zone (`fe80::1%eth0`) only ever qualifies a link-local or site-scoped address.
  if (ip.includes('%')) return false;
  const groups = ipv6Groups(ip);
  if (groups === undefined) return false;
  const at = (index: number): number => groups[index] ?? 0;
  const embedded = (high: number, low: number): string =>
    `${at(high) >> 8}.${at(high) & 0xff}.${at(low) >> 8}.${at(low) & 0xff}`;
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((group) => group === 0);

  // ::ffff:a.b.c.d (IPv4-mapped) and ::ffff:0:a.b.c.d (SIIT IPv4-translated) reach a.b.c.d.
  if (zeros(0, 5) && at(5) === 0xffff) return isPublicIpv4(embedded(6, 7));
  if (zeros(0, 4) && at(4) === 0xffff && at(5) === 0) return isPublicIpv4(embedded(6, 7));
  // 64:ff9b::a.b.c.d: the well-known NAT64 prefix, translated to a.b.c.d by the network's NAT64.
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return isPublicIpv4(embedded(6, 7));
  // 2002:aabb:ccdd::/48: 6to4, tunnelled to the IPv4 address a.b.c.d by a relay.
  if (at(0) === 0x2002 && !isPublicIpv4(embedded(1, 2))) return false;

  // Outside 2000::/3 nothing is global unicast: ::/96 (unspecified, loopback, the deprecated
  // IPv4-compatible form), 64:ff9b:1::/48 (local-use NAT64), 100::/64 (discard), fc00::/7,
  // fe80::/10, fec0::/10, ff00::/8, and space IANA has not allocated.
  if ((at(0) & 0xe000) !== 0x2000) return false;
  return !ipv6RefusedGlobal.check(groups.map((group) => group.toString(16)).join(':'), 'ipv6');
}

/**
 * The eight 16-bit groups of an IPv6 address already accepted by `isIP`, expanding `::` and a
 * trailing dotted IPv4 part.
 */
function ipv6Groups(ip: string): number[] | undefined {
  const halves = ip.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const octets = piece.split('.').map(Number);
        if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet > 255)) {
          return undefined;
        }
        const [a = 0, b = 0, c = 0, d = 0] = octets;
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        if (!/^[0-9a-f]{1,4}$/.test(piece)) return undefined;
        out.push(Number.parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}
