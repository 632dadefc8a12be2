// The "Generate" form and the session's task list of the live page, both over one websocket
// (which, unlike an HTTP POST, also runs the page's documents by id under TRUSTED_DOCUMENTS).
import { createClient, type Client } from 'graphql-ws/client';
import { graphql } from './gql/index.js';
import type { CreateLiveTaskMutation, SessionTasksSubscription } from './gql/graphql.js';

const CreateLiveTask = graphql(`
  mutation CreateLiveTask($input: CreateVideoTaskInput!) {
    createVideoTask(input: $input) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

const SessionTasks = graphql(`
  subscription SessionTasks($ids: [ID!]!) {
    videoTasksUpdated(ids: $ids) {
      id
      status
      progress
      videoUrl
      error
    }
  }
`);

type Task = SessionTasksSubscription['videoTasksUpdated'];
interface GraphQLErrorShape {
  message: string;
  extensions?: Record<string, unknown>;
}

const STORAGE_KEY = 'video-task-gateway:session-tasks';
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('generate');
const button = $<HTMLButtonElement>('generate-button');
const createError = $('create-error');
const list = $<HTMLUListElement>('tasks');
const empty = $('no-tasks');
const tokenInput = $<HTMLInputElement>('token');

const tasks = new Map<string, Task>(loadSession());
let client: Client | undefined;
let clientToken = '';
let stopWatching: (() => void) | undefined;
// A retry of the same form after a failure reuses its key: the gateway then never creates twice.
let lastAttempt: { input: string; key: string } | undefined;

render();
watchAll();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void generate();
});

async function generate(): Promise<void> {
  const input = {
    model: $<HTMLInputElement>('model').value.trim(),
    prompt: $<HTMLTextAreaElement>('prompt').value,
    durationSeconds: Number($<HTMLSelectElement>('duration').value),
    ratio: $<HTMLSelectElement>('ratio').value,
  };
  const json = JSON.stringify(input);
  if (lastAttempt?.input !== json) lastAttempt = { input: json, key: crypto.randomUUID() };
  createError.hidden = true;
  button.disabled = true;
  try {
    const variables = { input: { ...input, idempotencyKey: lastAttempt.key } };
    const result = await new Promise<{ data?: CreateLiveTaskMutation | null; errors?: readonly GraphQLErrorShape[] }>((resolve, reject) => {
      let settled = false;
      connection().subscribe<CreateLiveTaskMutation>(
        { query: CreateLiveTask.toString(), variables, extensions: byId(CreateLiveTask) },
        {
          next: (value) => {
            settled = true;
            resolve(value as { data?: CreateLiveTaskMutation | null; errors?: readonly GraphQLErrorShape[] });
          },
          // An error message is a list of GraphQL errors; anything else is the connection failing.
          error: (error) => (Array.isArray(error) ? resolve({ errors: error as GraphQLErrorShape[] }) : reject(error)),
          complete: () => settled || reject(new Error('The create ended without an answer.')),
        },
      );
    });
    const task = result.data?.createVideoTask;
    if (!task) return showCreateError(result.errors?.[0] ?? { message: 'The gateway gave no task.' });
    lastAttempt = undefined;
    tasks.set(task.id, task);
    saveSession();
    render();
    watchAll();
  } catch {
    showCreateError({ message: 'The gateway could not be reached.', extensions: { code: 'NETWORK' } });
  } finally {
    button.disabled = false;
  }
}

/** What went wrong, in words a person can act on. */
export function describeCreateError({ message, extensions = {} }: GraphQLErrorShape): string {
  switch (extensions.code) {
    case 'BAD_USER_INPUT':
      return `The request was refused. ${message}`;
    case 'UNAUTHENTICATED':
      return `Your API key was not accepted. ${message}`;
    case 'FORBIDDEN':
      return 'This API key may not create videos with this model.';
    case 'QUOTA_EXCEEDED':
      return 'Your quota is used up: top up your balance, then try again.';
    case 'RATE_LIMITED':
      return `Too many requests right now: try again in ${Number(extensions.retryAfter) || 1} seconds.`;
    case 'MODEL_UNAVAILABLE':
      return 'This model is not available right now: choose another model or try again later.';
    case 'IDEMPOTENCY_KEY_REUSED':
      return 'This request was already used for another video: submit the form again.';
    case 'UPSTREAM_UNAVAILABLE':
    case 'UPSTREAM_BAD_RESPONSE':
      return extensions.mayExist
        ? 'The video service did not confirm the task: it may have been created anyway. Check your tasks before trying again.'
        : 'The video service is unavailable right now: try again in a moment.';
    case 'NETWORK':
      return 'The gateway could not be reached: check your connection and try again.';
    default:
      return `Something went wrong: ${message}`;
  }
}

function showCreateError(error: GraphQLErrorShape): void {
  createError.textContent = describeCreateError(error);
  createError.dataset.code = String(error.extensions?.code ?? 'ERROR');
  createError.hidden = false;
}

/** The page's websocket to the gateway, with the API key currently entered. */
function connection(): Client {
  const token = tokenInput.value.trim();
  if (!client || token !== clientToken) {
    stopWatching?.();
    stopWatching = undefined;
    void client?.dispose();
    clientToken = token;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    client = createClient({ url, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 3 });
  }
  return client;
}

/** One subscription for every unfinished task of the session, restarted when the list changes. */
function watchAll(): void {
  stopWatching?.();
  stopWatching = undefined;
  const ids = [...tasks.values()].filter((task) => !isFinal(task)).map((task) => task.id);
  if (ids.length === 0) return;
  stopWatching = connection().subscribe<SessionTasksSubscription>(
    { query: SessionTasks.toString(), variables: { ids }, extensions: byId(SessionTasks) },
    {
      next: ({ data, errors }) => {
        const task = data?.videoTasksUpdated;
        if (task) {
          tasks.set(task.id, task);
          saveSession();
          render();
        }
        for (const error of errors ?? []) {
          const id = error.extensions?.taskId;
          if (typeof id === 'string') renderProblem(id, describeWatchError(error));
        }
      },
      error: () => undefined,
      complete: () => undefined,
    },
  );
}

/** The document's id rides along: a gateway running only trusted documents runs it by id. */
function byId(document: { __meta__?: Record<string, unknown> | undefined }) {
  return { persistedQuery: { version: 1, sha256Hash: document.__meta__?.hash as string } };
}

function describeWatchError({ message, extensions = {} }: GraphQLErrorShape): string {
  if (extensions.code === 'TASK_NOT_FOUND') return 'The video service does not know this task.';
  if (extensions.code === 'UPSTREAM_UNAVAILABLE' || extensions.code === 'UPSTREAM_BAD_RESPONSE') return 'The video service is not answering; still watching…';
  return message;
}

function render(): void {
  empty.hidden = tasks.size > 0;
  for (const task of [...tasks.values()].reverse()) {
    let item = list.querySelector<HTMLLIElement>(`li[data-task-id="${CSS.escape(task.id)}"]`);
    if (!item) {
      item = document.createElement('li');
      item.dataset.taskId = task.id;
      item.innerHTML = '<div class="head"><span class="id"></span><strong class="status"></strong></div><progress max="100" value="0"></progress><p class="outcome"></p>';
      item.querySelector('.id')!.textContent = task.id;
      list.prepend(item);
    }
    item.dataset.status = task.status;
    item.querySelector('.status')!.textContent = `${label[task.status]} ${task.progress}%`;
    item.querySelector('progress')!.value = task.progress;
    const outcome = item.querySelector<HTMLParagraphElement>('.outcome')!;
    if (task.status === 'SUCCESS') {
      const link = document.createElement('a');
      link.href = task.videoUrl ?? '#';
      link.textContent = task.videoUrl ?? 'The upstream gave no video URL.';
      outcome.replaceChildren(link);
    } else outcome.textContent = task.status === 'FAILURE' ? (task.error ?? 'The task failed.') : '';
  }
}

function renderProblem(id: string, text: string): void {
  const outcome = list.querySelector(`li[data-task-id="${CSS.escape(id)}"] .outcome`);
  if (outcome) outcome.textContent = text;
}

function isFinal(task: Task): boolean {
  return task.status === 'SUCCESS' || task.status === 'FAILURE';
}

function loadSession(): [string, Task][] {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '[]') as Task[];
    return Array.isArray(saved) ? saved.filter((task) => typeof task?.id === 'string').map((task) => [task.id, task]) : [];
  } catch {
    return [];
  }
}

function saveSession(): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify([...tasks.values()]));
}

const label: Record<Task['status'], string> = {
  SUBMITTED: 'Submitted',
  QUEUED: 'Queued',
  IN_PROGRESS: 'Generating',
  SUCCESS: 'Done',
  FAILURE: 'Failed',
  UNKNOWN: 'Unknown status',
};
