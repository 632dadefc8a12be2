import type { IncomingMessage } from 'node:http';

/**
 * The body of a request as a Buffer; `undefined` when it is larger than `limit` bytes, or when
 * the request fails before its end. Plain listeners: an async iterator per request costs more
 * than reading the one or two chunks a GraphQL request has.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined | null> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      // Chunked bodies (or a lying Content-Length) are cut off as soon as they pass the limit.
      if (size > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.resume();
        resolve(undefined);
      } else chunks.push(chunk);
    };
    const onEnd = () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', () => resolve(null));
  });
}
