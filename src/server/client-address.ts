import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of the gateway to believe about `X-Forwarded-For`: none (the socket's
 * peer is the client), a hop count (that many proxies, whatever their addresses), or a list of
 * proxy addresses and CIDR ranges.
 */
export type TrustProxy = { hops: number } | { proxies: BlockList } | undefined;

/** Parses `TRUST_PROXY`: `2`, or `10.0.0.1, 10.1.0.0/16, ::1`. Throws on an address it cannot read. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) {
    const hops = Number(value);
    return hops > 0 ? { hops } : undefined;
  }
  const proxies = new BlockList();
  for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0) throw new Error(`not an IP address or CIDR range: ${entry}`);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) proxies.addAddress(normalize(address!), type);
    else proxies.addSubnet(normalize(address!), Number(prefix), type);
  }
  return { proxies };
}

export interface ClientAddresses {
  /** The client's address: the socket's peer, or what trusted proxies say in `X-Forwarded-For`. */
  of(req: IncomingMessage): string;
  /** Whether a connection's peer is a trusted proxy (its connections carry many clients). */
  isProxy(address: string | undefined): boolean;
}

/** Client addresses for every per-address limit and key (websockets, SSE streams, rate limits). */
export function createClientAddresses(trust: TrustProxy): ClientAddresses {
  const isProxy = (address: string | undefined): boolean => {
    if (!trust || address === undefined) return false;
    if ('hops' in trust) return true;
    const normalized = normalize(address);
    return trust.proxies.check(normalized, isIP(normalized) === 6 ? 'ipv6' : 'ipv4');
  };
  return {
    of(req) {
      const peer = normalize(req.socket.remoteAddress ?? 'unknown');
      if (!trust) return peer;
      const header = req.headers['x-forwarded-for'];
      const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
        .split(',')
        .map((a) => normalize(a.trim()))
        .filter((a) => isIP(a) !== 0);
      // Nearest first: the socket's peer, then X-Forwarded-For from its right end.
      const chain = [peer, ...forwarded.reverse()];
      if ('hops' in trust) return chain[Math.min(trust.hops, chain.length - 1)]!;
      let i = 0;
      while (i < chain.length - 1 && isProxy(chain[i])) i++;
      return chain[i]!;
    },
    isProxy,
  };
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) as `10.0.0.1`. */
function normalize(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}
