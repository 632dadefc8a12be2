import { createConnection, createServer, type Socket } from 'node:net';
import { onDispose } from './helpers.js';

export interface TcpProxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The ports connections go to, in turn; a port that refuses is skipped. */
  targets: number[];
  /** Connections accepted, by the target port they went to. */
  readonly connections: Map<number, number>;
  dispose(): Promise<void>;
}

/**
 * A round-robin TCP proxy on loopback, as a load balancer in front of a fleet: each new
 * connection goes to the next target that accepts it. It knows nothing of HTTP or websockets.
 */
export async function startTcpProxy(targets: number[]): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const connections = new Map<number, number>();
  let next = 0;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const server = createServer((client) => {
    track(client);
    client.pause();
    const tryTarget = (attempts: number) => {
      if (attempts >= proxy.targets.length) return void client.destroy();
      const port = proxy.targets[next++ % proxy.targets.length]!;
      const upstream = createConnection({ host: '127.0.0.1', port });
      let connected = false;
      upstream.on('error', () => (connected ? client.destroy() : tryTarget(attempts + 1)));
      upstream.once('connect', () => {
        connected = true;
        track(upstream);
        connections.set(port, (connections.get(port) ?? 0) + 1);
        client.on('error', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        client.once('close', () => upstream.destroy());
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    tryTarget(0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const proxy: TcpProxy = {
    url: `http://127.0.0.1:${port}`,
    targets,
    connections,
    async dispose() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  onDispose(() => proxy.dispose());
  return proxy;
}
