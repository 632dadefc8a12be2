import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkCreateRequest, SIMULATED_LEGACY_MODEL } from './create.js';
import { faultAnswer, jsonAnswer, type SimulatorAnswer, type SimulatorFault } from './faults.js';
import { simulateTaskData, type SimulatorShape } from './timeline.js';

export interface SimulatorOptions {
  /** Port to listen on; 0 picks a free one, which `start()` then keeps. @default 0 */
  port?: number | undefined;
  /** @default '127.0.0.1' */
  host?: string | undefined;
  /** How long a task takes from the first time it is asked for to its final status. @default 60000 */
  durationMs?: number | undefined;
  /** Wire format of task status answers. @default 'documented' */
  shape?: SimulatorShape | undefined;
  /** Delay added before every answer. @default 0 */
  latencyMs?: number | undefined;
  /** Whether requests without a bearer token are refused. @default true */
  requireAuth?: boolean | undefined;
  /** Clock for the task timeline, so tests can pin time. @default Date.now */
  now?: (() => number) | undefined;
}

/** One entry of the request log, recorded on arrival. */
export interface SimulatorRequest {
  method: string;
  path: string;
  /** The decoded task id of a task status request. */
  taskId?: string | undefined;
  /** The bearer token, when the Authorization header is well formed. */
  token?: string | undefined;
  /** The JSON body of a create request (`POST /v1/video/generations`), parsed; undefined when it was not JSON. */
  body?: unknown;
  /** The W3C `traceparent` header, when one was sent (the gateway's tracing propagates it). */
  traceparent?: string | undefined;
  /** Filled in when answered; stays 0 for requests that hang or are reset. */
  status: number;
  /** `Date.now()` on arrival. */
  at: number;
  /** Requests for the same (token, taskId) in flight when this one arrived, including itself. */
  inFlightForTask: number;
}

export interface Simulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43121`. */
  url: string;
  port: number;
  /** Every request received, in arrival order; tests may clear it with `requests.length = 0`. */
  requests: SimulatorRequest[];
  setShape(shape: SimulatorShape): void;
  setLatency(ms: number): void;
  /** Applies to tasks already running too, so their progress may jump. */
  setDuration(ms: number): void;
  /** These ids answer `task_not_exist`. */
  addUnknown(...ids: string[]): void;
  /** Makes the task visible to this bearer token only; other tokens get `task_not_exist`. */
  restrictTask(id: string, token: string): void;
  /** Answers 401 `invalid_token` to this token. */
  refuseToken(token: string): void;
  /** Answers 403 `forbidden` to this token. */
  forbidToken(token: string): void;
  /** Merges `data` over the timeline's answer for this id; null unpins. */
  setTask(id: string, data: Record<string, unknown> | null): void;
  /** Plays `fault` on the next `times` task status requests, after faults already queued. */
  injectFault(fault: SimulatorFault, times?: number): void;
  clearFaults(): void;
  /** Closes the listener and destroys open connections, keeping all state. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  dispose(): Promise<void>;
}

const CREATE_PATH = '/v1/video/generations';
const TASK_PATH = /^\/v1\/video\/generations\/([^/]+)$/;
const SAMPLE_PATH = /^\/samples\/[^/]+\.mp4$/;
// A real, playable 4-second test pattern (17 KB); scripts/make-sample-video.sh made it.
const SAMPLE_VIDEO = readFileSync(new URL('./sample.mp4', import.meta.url));
const MAX_BODY_BYTES = 4 << 20;
const ALPHANUMERICS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomSuffix(length: number): string {
  let suffix = '';
  for (let i = 0; i < length; i++) suffix += ALPHANUMERICS.charAt(randomInt(ALPHANUMERICS.length));
  return suffix;
}

function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer +(\S+) *$/i.exec(header ?? '')?.[1];
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The body as text, at most {@link MAX_BODY_BYTES} of it: the rest is read and dropped. */
function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((resolve) => {
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    const done = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.once('end', done).once('close', done);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function assertMs(name: string, ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`${name} expects a finite number of milliseconds >= 0, got ${ms}`);
}

/** Starts an HTTP server that plays the upstream video-task API, with controls for tests. */
export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { host = '127.0.0.1', requireAuth = true, now = Date.now } = options;
  let { shape = 'documented', durationMs = 60_000, latencyMs = 0, port = 0 } = options;
  assertMs('durationMs', durationMs);
  assertMs('latencyMs', latencyMs);

  const tasks = new Map<string, { submittedAt: number; numericId: number }>();
  const unknown = new Set<string>();
  const owners = new Map<string, string>();
  const refused = new Set<string>();
  const forbidden = new Set<string>();
  const pinned = new Map<string, Record<string, unknown>>();
  const faults: SimulatorFault[] = [];
  const requests: SimulatorRequest[] = [];
  const inFlight = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let server: Server | undefined;
  let disposed = false;
  let baseUrl = '';

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  // The timeline starts on first sight of an id, whoever asks, so every client sees the same task.
  function firstAsk(taskId: string) {
    let task = tasks.get(taskId);
    if (!task) tasks.set(taskId, (task = { submittedAt: now(), numericId: tasks.size + 1 }));
    return task;
  }

  function authFailure(token: string | undefined): SimulatorAnswer | undefined {
    if (token === undefined && requireAuth) {
      return jsonAnswer(401, { code: 'unauthorized', message: 'Missing or malformed Authorization header; expected "Bearer <token>".' });
    }
    if (token !== undefined && refused.has(token)) return jsonAnswer(401, { code: 'invalid_token', message: 'Invalid token (simulated).' });
    if (token !== undefined && forbidden.has(token)) return jsonAnswer(403, { code: 'forbidden', message: 'This token may not access this resource (simulated).' });
    return undefined;
  }

  function taskStatus(taskId: string | undefined, token: string | undefined): SimulatorAnswer {
    if (taskId === undefined) return jsonAnswer(400, { code: 'invalid_request', message: 'The task id is not valid percent-encoding.' });
    const owner = owners.get(taskId);
    if (unknown.has(taskId) || (owner !== undefined && owner !== token)) {
      return jsonAnswer(400, { code: 'task_not_exist', message: 'task_not_exist', data: null });
    }
    const { submittedAt, numericId } = firstAsk(taskId);
    const videoUrl = `${baseUrl}/samples/${encodeURIComponent(taskId)}.mp4`;
    const elapsedMs = now() - submittedAt;
    const data = { ...simulateTaskData({ taskId, shape, elapsedMs, durationMs, submittedAt, videoUrl, numericId }), ...pinned.get(taskId) };
    return jsonAnswer(200, shape === 'documented' ? { code: 'success', data } : { code: 'success', message: '', data });
  }

  function createTask(body: unknown): SimulatorAnswer {
    const refused = checkCreateRequest(body);
    if (refused) return refused;
    const { model, prompt } = body as { model: string; prompt: string };
    // A prompt mentioning "fail" makes a task that fails, like task ids containing "fail" do.
    const id = model === SIMULATED_LEGACY_MODEL ? `cgt-${new Date(now()).toISOString().replace(/\D/g, '').slice(0, 14)}-${randomSuffix(6)}` : `task_${/fail/i.test(prompt) ? 'fail_' : ''}${randomSuffix(24)}`;
    const createdAt = Math.floor(firstAsk(id).submittedAt / 1000);
    return jsonAnswer(200, { id, task_id: id, object: 'video', model, status: 'queued', progress: 0, created_at: createdAt });
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const token = bearerToken(req.headers.authorization);
    const taskSegment = method === 'GET' ? TASK_PATH.exec(path)?.[1] : undefined;
    const taskId = taskSegment === undefined ? undefined : decodeSegment(taskSegment);

    const key = `${token ?? ''}\n${taskId ?? ''}`;
    const inFlightForTask = (inFlight.get(key) ?? 0) + 1;
    inFlight.set(key, inFlightForTask);
    const traceparent = typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined;
    const entry: SimulatorRequest = { method, path, taskId, token, traceparent, status: 0, at: Date.now(), inFlightForTask };
    requests.push(entry);
    res.on('close', () => {
      const left = (inFlight.get(key) ?? 1) - 1;
      if (left > 0) inFlight.set(key, left);
      else inFlight.delete(key);
    });
    // Taken on arrival so concurrent requests consume faults in arrival order.
    const fault = taskSegment === undefined ? undefined : faults.shift();

    const isCreate = method === 'POST' && path === CREATE_PATH;
    answerLater(req, res, (body) => {
      if (fault) return faultAnswer(fault);
      if (method === 'GET' && SAMPLE_PATH.test(path)) return { status: 200, headers: { 'content-type': 'video/mp4' }, body: SAMPLE_VIDEO };
      if (taskSegment !== undefined) return authFailure(token) ?? taskStatus(taskId, token);
      if (isCreate) {
        entry.body = parseJson(body);
        return authFailure(token) ?? createTask(entry.body);
      }
      return jsonAnswer(404, { code: 'not_found', message: `No route for ${method} ${path}.` });
    }).then(
      (status) => (entry.status = status),
      () => {
        // A bad fault (say an impossible status) must cost one request, never the process hosting the tests.
        entry.status = 500;
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 'internal', message: 'Simulator error.' }));
      },
    );
  }

  /** Answers after the body and the latency; resolves to the status sent, 0 when none was. */
  async function answerLater(req: IncomingMessage, res: ServerResponse, decide: (body: string) => SimulatorAnswer): Promise<number> {
    const body = await readBody(req);
    if (latencyMs > 0) await sleep(latencyMs);
    if (res.closed) return 0;
    const answer = decide(body);
    if (answer === 'hang') return 0;
    if (answer === 'reset') {
      req.socket.destroy();
      return 0;
    }
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.writeHead(answer.status).end(answer.body);
    return answer.status;
  }

  async function start(): Promise<void> {
    if (disposed) throw new Error('The simulator was disposed; create a new one instead of restarting it.');
    if (server) return;
    const listening = (server = createServer(onRequest));
    try {
      await new Promise<void>((resolve, reject) => listening.once('error', reject).listen(port, host, resolve));
    } catch (error) {
      server = undefined;
      throw error;
    }
    port = (listening.address() as AddressInfo).port;
    baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  async function stop(): Promise<void> {
    const closing = server;
    if (!closing) return;
    server = undefined;
    const closed = new Promise<void>((resolve, reject) => closing.close((error) => (error ? reject(error) : resolve())));
    // close() alone waits for keep-alive and hanging connections, which an outage must cut.
    closing.closeAllConnections();
    await closed;
  }

  await start();
  return {
    url: baseUrl,
    port,
    requests,
    setShape(next) {
      shape = next;
    },
    setLatency(ms) {
      assertMs('setLatency', ms);
      latencyMs = ms;
    },
    setDuration(ms) {
      assertMs('setDuration', ms);
      durationMs = ms;
    },
    addUnknown: (...ids) => ids.forEach((id) => unknown.add(id)),
    restrictTask: (id, token) => void owners.set(id, token),
    refuseToken: (token) => void refused.add(token),
    forbidToken: (token) => void forbidden.add(token),
    setTask(id, data) {
      if (data) pinned.set(id, data);
      else pinned.delete(id);
    },
    injectFault(fault, times = 1) {
      if (!Number.isInteger(times) || times < 1) throw new Error(`injectFault expects times to be a positive integer, got ${times}`);
      for (let i = 0; i < times; i++) faults.push(fault);
    },
    clearFaults() {
      faults.length = 0;
    },
    stop,
    start,
    async dispose() {
      disposed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await stop();
    },
  };
}
