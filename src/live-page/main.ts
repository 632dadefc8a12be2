// The live task page: runs in the browser, bundled by src/server/live-page.ts.
import { createClient, type Client } from 'graphql-ws/client';
import { graphql } from './gql/index.js';
import type { VideoTaskLiveSubscription } from './gql/graphql.js';
import './generate.js';

const VideoTaskLive = graphql(`
  subscription VideoTaskLive($id: ID!) {
    videoTaskUpdated(id: $id) {
      id
      status
      progress
      videoUrl
      error
      submittedAt
      startedAt
      finishedAt
      archive {
        status
        url
        error
      }
    }
  }
`);

type Task = VideoTaskLiveSubscription['videoTaskUpdated'];

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('watch');
const idInput = $<HTMLInputElement>('task-id');
const tokenInput = $<HTMLInputElement>('token');
const statusText = $('status');
const progressBar = $<HTMLProgressElement>('progress');
const progressText = $('progress-text');
const result = $('result');
const problem = $('problem');

idInput.value ||= `demo-${Math.random().toString(36).slice(2, 8)}`;

let client: Client | undefined;
let stop: (() => void) | undefined;

form.addEventListener('submit', (event) => {
  event.preventDefault();
  watch(idInput.value.trim(), tokenInput.value.trim());
});

function watch(id: string, token: string): void {
  stop?.();
  void client?.dispose();
  reset();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  client = createClient({ url, connectionParams: token ? { authorization: `Bearer ${token}` } : {}, retryAttempts: 3 });
  statusText.textContent = 'Connecting…';
  stop = client.subscribe<VideoTaskLiveSubscription>(
    // The document's id rides along: a gateway running only trusted documents runs it by id.
    { query: VideoTaskLive.toString(), variables: { id }, extensions: { persistedQuery: { version: 1, sha256Hash: VideoTaskLive.__meta__?.hash as string } } },
    {
      next: ({ data, errors }) => {
        if (errors?.length) showProblem(errors.map((e) => `${e.message} (${String(e.extensions?.code ?? 'ERROR')})`).join('\n'));
        else problem.hidden = true;
        if (data?.videoTaskUpdated) show(data.videoTaskUpdated);
      },
      error: (error) => showProblem(Array.isArray(error) ? error.map((e: { message: string }) => e.message).join('\n') : 'The connection to the gateway failed.'),
      complete: () => document.body.setAttribute('data-complete', 'true'),
    },
  );
}

function reset(): void {
  document.body.removeAttribute('data-complete');
  document.body.removeAttribute('data-status');
  progressBar.value = 0;
  progressText.textContent = '0%';
  result.replaceChildren();
  problem.hidden = true;
}

function show(task: Task): void {
  document.body.setAttribute('data-status', task.status);
  statusText.textContent = label[task.status];
  progressBar.value = task.progress;
  progressText.textContent = `${task.progress}%`;
  if (task.status === 'SUCCESS') {
    const link = document.createElement('a');
    link.id = 'video-url';
    link.href = task.videoUrl ?? '#';
    link.textContent = task.videoUrl ?? 'The upstream gave no video URL.';
    const video = document.createElement('video');
    video.controls = true;
    // The gateway's archived copy outlives the upstream's expiring link: play it once there is one.
    const archived = task.archive?.status === 'ARCHIVED' ? task.archive.url : null;
    const source = archived ?? task.videoUrl;
    if (source) video.src = source;
    const note = document.createElement('p');
    note.id = 'archive-note';
    note.textContent = archiveNote(task.archive);
    result.replaceChildren(video, link, note);
  } else if (task.status === 'FAILURE') {
    const reason = document.createElement('p');
    reason.id = 'task-error';
    reason.textContent = task.error ?? 'The task failed.';
    result.replaceChildren(reason);
  }
}

function archiveNote(archive: Task['archive']): string {
  if (!archive) return 'Playing the upstream\'s copy (archiving is off).';
  if (archive.status === 'ARCHIVED') return 'Playing the gateway\'s archived copy.';
  if (archive.status === 'PENDING') return 'Playing the upstream\'s copy while the gateway archives it…';
  return `Playing the upstream's copy: archiving failed (${archive.error ?? 'unknown reason'}).`;
}

function showProblem(message: string): void {
  problem.textContent = message;
  problem.hidden = false;
}

const label: Record<Task['status'], string> = {
  SUBMITTED: 'Submitted',
  QUEUED: 'Queued',
  IN_PROGRESS: 'Generating',
  SUCCESS: 'Done',
  FAILURE: 'Failed',
  UNKNOWN: 'Unknown status',
};
