/** A failure the simulator plays instead of answering a task status request. */
export type SimulatorFault =
  /** Answers with this status, e.g. 503, or 429 with `{ 'retry-after': '1' }`. */
  | {
      type: 'status';
      status: number;
      /** @default a JSON error body naming the status */
      body?: string | undefined;
      /** Sent over the default `content-type: application/json`. */
      headers?: Record<string, string> | undefined;
    }
  /** Never answers, until `stop()` or `dispose()` destroys the socket. */
  | { type: 'hang' }
  /** 200 claiming JSON, with a truncated body: a proxy cutting the answer short. */
  | { type: 'garbage' }
  /** 200 with a web page: a base URL pointing at a website instead of the API. */
  | { type: 'html' }
  /** Destroys the socket without answering. */
  | { type: 'reset' };

/** What the simulator does with a request: answer it, or one of the two ways of not answering. */
export type SimulatorAnswer =
  | { status: number; headers: Record<string, string>; body: string | Uint8Array }
  | 'hang'
  | 'reset';

export function jsonAnswer(status: number, body: unknown): SimulatorAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function faultAnswer(fault: SimulatorFault): SimulatorAnswer {
  switch (fault.type) {
    case 'status':
      return {
        status: fault.status,
        headers: { 'content-type': 'application/json', ...fault.headers },
        body: fault.body ?? JSON.stringify({ code: 'simulated_fault', message: `Simulated HTTP ${fault.status}.` }),
      };
    case 'garbage':
      return { status: 200, headers: { 'content-type': 'application/json' }, body: '{"code":"success","data":{"task_' };
    case 'html':
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!doctype html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>',
      };
    case 'hang':
    case 'reset':
      return fault.type;
  }
}
