import { WebSocket } from 'ws';

/** One received `next` payload, with when it arrived. */
export interface Received {
  at: number;
  taskId: string;
  payload: { data?: { videoTaskUpdated?: { progress?: number; status?: string } } | null; errors?: unknown[] };
}

export interface SubscriberFleet {
  /** Subscriptions that have received their first event. */
  readonly ready: number;
  readonly received: Received[];
  close(): Promise<void>;
}

/**
 * Many subscriptions over raw graphql-transport-ws sockets: a lean client, so that the load
 * generator costs little next to the server it measures.
 */
export async function openFleet({
  url,
  token,
  tokenFor = () => token,
  connections,
  perConnection,
  taskIdFor,
  query,
  record = true,
}: {
  url: string;
  token: string;
  /** A bearer token per connection (many tenants); `token` for all when not given. */
  tokenFor?: (connection: number) => string;
  connections: number;
  perConnection: number;
  taskIdFor: (subscription: number) => string;
  query: string;
  record?: boolean;
}): Promise<SubscriberFleet> {
  const sockets: WebSocket[] = [];
  const received: Received[] = [];
  const firstSeen = new Set<string>();
  const wsUrl = `${url.replace(/^http/, 'ws')}/graphql`;
  const open = async (c: number) => {
    const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
    sockets.push(socket);
    const ids = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokenFor(c)}` } })));
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string; id?: string; payload?: Received['payload'] };
        if (message.type === 'connection_ack') {
          for (let s = 0; s < perConnection; s++) {
            const n = c * perConnection + s;
            const id = String(n);
            ids.set(id, taskIdFor(n));
            socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables: { id: taskIdFor(n) } } }));
          }
          resolve();
        } else if (message.type === 'next' && message.id) {
          const key = `${c}:${message.id}`;
          if (!firstSeen.has(key)) firstSeen.add(key);
          if (record) received.push({ at: performance.timeOrigin + performance.now(), taskId: ids.get(message.id)!, payload: message.payload! });
        }
      });
    });
  };
  // Open in small waves: a burst of 1,000 handshakes at once only measures the accept queue.
  for (let c = 0; c < connections; c += 50) await Promise.all(Array.from({ length: Math.min(50, connections - c) }, (_, i) => open(c + i)));
  return {
    get ready() {
      return firstSeen.size;
    },
    received,
    async close() {
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === WebSocket.CLOSED) return resolve();
              socket.once('close', () => resolve());
              socket.close();
            }),
        ),
      );
    },
  };
}
