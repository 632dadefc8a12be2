// A minimal frontend on its own origin (built by Vite): enter a task id, see its state at once
// (an HTTP GET, which the browser may cache when the task is final), then watch it live over
// graphql-ws. The gateway needs this page's origin in CORS_ORIGINS. Point it at a gateway with
// `?gateway=http://127.0.0.1:4000/graphql` (the default).
import { createClient } from 'graphql-ws';
import { graphql } from './gql/index.js';
import type { TaskStateQuery, TaskLiveSubscription } from './gql/graphql.js';

const TaskState = graphql(`
  query TaskState($id: ID!) {
    videoTask(id: $id) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

const TaskLive = graphql(`
  subscription TaskLive($id: ID!) {
    videoTaskUpdated(id: $id) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

type Task = TaskLiveSubscription['videoTaskUpdated'];
type Problem = { message: string; extensions?: Record<string, unknown> | undefined };
type Result<T> = { data?: T | null; errors?: Problem[] };

const endpoint = new URLSearchParams(location.search).get('gateway') ?? 'http://127.0.0.1:4000/graphql';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const idInput = $<HTMLInputElement>('task-id');
const tokenInput = $<HTMLInputElement>('token');
let stop: (() => void) | undefined;

$<HTMLFormElement>('watch').addEventListener('submit', (event) => {
  event.preventDefault();
  void watch(idInput.value.trim(), tokenInput.value.trim());
});

async function watch(id: string, token: string): Promise<void> {
  stop?.();
  document.body.removeAttribute('data-complete');
  $('problem').hidden = true;
  const authorization = token ? `Bearer ${token}` : undefined;
  // The current state by GET: a settled task's answer is private and cacheable, with an ETag.
  const url = new URL(endpoint);
  url.searchParams.set('query', TaskState.toString());
  url.searchParams.set('variables', JSON.stringify({ id }));
  // A request id of our own, echoed by the gateway and found in its logs: quote it in bug reports.
  const requestId = `browser-${Math.random().toString(36).slice(2, 10)}`;
  const headers: Record<string, string> = { accept: 'application/graphql-response+json', 'x-request-id': requestId };
  if (authorization) headers.authorization = authorization;
  const response = await fetch(url, { headers });
  document.body.dataset.requestId = response.headers.get('x-request-id') ?? '';
  const state = (await response.json()) as Result<TaskStateQuery>;
  if (state.errors?.length) return showProblem(state.errors);
  if (!state.data?.videoTask) return showProblem([{ message: `No task ${id}.` }]);
  show(state.data.videoTask);
  if (state.data.videoTask.status === 'SUCCESS' || state.data.videoTask.status === 'FAILURE') return complete();

  const client = createClient({ url: endpoint.replace(/^http/, 'ws'), connectionParams: authorization ? { authorization } : {}, retryAttempts: 5 });
  const unsubscribe = client.subscribe<TaskLiveSubscription>(
    { query: TaskLive.toString(), variables: { id } },
    {
      next: ({ data, errors }) => (errors?.length ? showProblem(errors) : data && show(data.videoTaskUpdated)),
      error: () => showProblem([{ message: 'The connection to the gateway failed.' }]),
      complete,
    },
  );
  stop = () => {
    unsubscribe();
    void client.dispose();
  };
}

function show(task: Task): void {
  document.body.dataset.status = task.status;
  $('status').textContent = task.status;
  $<HTMLProgressElement>('progress').value = task.progress;
  $('progress-text').textContent = `${task.progress}%`;
  $('result').textContent = task.status === 'SUCCESS' ? (task.videoUrl ?? '') : task.status === 'FAILURE' ? (task.error ?? 'Failed.') : '';
}

function complete(): void {
  document.body.dataset.complete = 'true';
}

function showProblem(errors: readonly Problem[]): void {
  $('problem').textContent = errors.map((e) => (e.extensions?.code ? `${e.message} (${String(e.extensions.code)})` : e.message)).join('\n');
  $('problem').hidden = false;
}
