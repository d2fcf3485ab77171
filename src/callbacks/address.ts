import { isIP } from 'node:net';

/**
 * Whether an IP address is one a callback may be sent to: a globally routable unicast address.
 * Everything else (loopback, private, link-local, unique-local, carrier-grade NAT, multicast,
 * documentation and benchmarking ranges, reserved space) could reach the service's own host or
 * its internal network, which is what a callback URL must never be allowed to do.
 */
export function isPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(plain);
  if (family === 4) return isPublicV4(parseV4(plain));
  if (family === 6) return isPublicV6(parseV6(plain));
  return false;
}

/** IANA special-purpose IPv4 ranges (RFC 6890 and successors), as [first octets, prefix length]. */
const NON_PUBLIC_V4: ReadonlyArray<readonly [readonly number[], number]> = [
  [[0], 8], // "this network"
  [[10], 8],
  [[100, 64], 10], // carrier-grade NAT
  [[127], 8],
  [[169, 254], 16],
  [[172, 16], 12],
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16],
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24],
  [[203, 0, 113], 24],
  [[224], 4], // multicast
  [[240], 4], // reserved, and the broadcast address
];

function isPublicV4(bytes: Uint8Array): boolean {
  return !NON_PUBLIC_V4.some(([prefix, bits]) => matches(bytes, Uint8Array.from([...prefix, 0, 0, 0, 0].slice(0, 4)), bits));
}

/**
 * Only 2000::/3 is global unicast, so anything outside it is refused outright. Formats that embed
 * an IPv4 address (mapped, NAT64, 6to4) are judged by the IPv4 address they lead to.
 */
function isPublicV6(bytes: Uint8Array): boolean {
  const embedded = embeddedV4(bytes);
  if (embedded) return isPublicV4(embedded);
  if ((bytes[0] & 0xe0) !== 0x20) return false;
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] < 0x02) return false; // 2001::/23 protocol assignments, Teredo
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return false; // 2001:db8::/32 documentation
  if (bytes[0] === 0x3f && bytes[1] === 0xff && bytes[2] < 0x10) return false; // 3fff::/20 documentation
  return true;
}

function embeddedV4(b: Uint8Array): Uint8Array | null {
  const zeros = (from: number, to: number): boolean => b.subarray(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (the deprecated compatible form, but not :: or ::1)
  if (zeros(0, 10) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0 && !zeros(12, 15)))) return b.subarray(12, 16);
  // 64:ff9b::/96, the well-known NAT64 prefix
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.subarray(12, 16);
  // 2002::/16, 6to4: the IPv4 address follows the prefix
  if (b[0] === 0x20 && b[1] === 0x02) return b.subarray(2, 6);
  return null;
}

function matches(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> i % 8;
    if ((bytes[i >> 3] & mask) !== (prefix[i >> 3] & mask)) return false;
  }
  return true;
}

function parseV4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.').map(Number));
}

/** Expands an address `isIP` accepted as IPv6 (with `::` and a trailing dotted quad) to 16 bytes. */
function parseV6(text: string): Uint8Array {
  let groups = text;
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(groups);
  if (quad) {
    const [a, b, c, d] = parseV4(quad[1]);
    groups = `${groups.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = groups.split('::') as [string, string | undefined];
  const words = (part: string | undefined): number[] => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const front = words(head);
  const back = words(tail);
  const all = tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  const out = new Uint8Array(16);
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  return out;
}
