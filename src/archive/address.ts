import { BlockList, isIP } from 'node:net';

// Addresses a server-side download must never reach: anything not on the public internet.
// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked against the IPv4 rules by BlockList.
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's metadata, 100.100.100.200)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local: the cloud metadata service, 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible (::a.b.c.d, routed through sit0)
  ['2002::', 16], // 6to4: carries an IPv4 address, possibly a private one
  ['2001::', 32], // Teredo: tunnels to an IPv4 address
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (also AWS's IPv6 metadata, fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/** Whether a download may not connect to `address`: private, loopback, link-local, metadata, reserved. */
export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family !== 6) return true;
  if (blocked.check(address, 'ipv6')) return true;
  // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits: judge that one.
  const nat64 = /^64:ff9b::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address) ?? undefined;
  if (nat64) {
    const high = parseInt(nat64[1]!, 16);
    const low = parseInt(nat64[2]!, 16);
    return blocked.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  const dotted = /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  return dotted !== undefined && blocked.check(dotted, 'ipv4');
}

/**
 * ARCHIVE_ALLOWED_HOSTS: hosts (any port) and host:port pairs for which the download guard lifts
 * both the https-only and the address rules. Host names are compared in lower case, IPv6 without
 * brackets.
 */
export interface AllowedHosts {
  has(host: string, port: number): boolean;
}

export function parseAllowedHosts(entries: readonly string[]): AllowedHosts {
  const hosts = new Set<string>();
  const hostPorts = new Set<string>();
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    // `[::1]:8080`, `[::1]`, `::1`, `host:8080`, `host`
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      if (bracketed[2] === undefined) hosts.add(bracketed[1]!);
      else hostPorts.add(`${bracketed[1]}|${Number(bracketed[2])}`);
      continue;
    }
    const hostPort = /^([^:]+):(\d+)$/.exec(entry);
    if (hostPort) hostPorts.add(`${hostPort[1]}|${Number(hostPort[2])}`);
    else hosts.add(entry);
  }
  return {
    has(host, port) {
      const name = unbracket(host).toLowerCase();
      return hosts.has(name) || hostPorts.has(`${name}|${port}`);
    },
  };
}

export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** The port a URL connects to. */
export function portOf(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}
