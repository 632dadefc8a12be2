import type { ArchiveService } from './archive/service.js';
import type { Credential } from './credential.js';
import type { Poller } from './poller/poller.js';
import type { TaskCreator } from './upstream/task-creator.js';
import type { TaskSource } from './upstream/task-source.js';

/**
 * A websocket connection, where subscription events can be written as ready-made `next` frames,
 * so that a payload serialized once per group reaches each subscriber without a per-subscriber
 * stringify. One per connection, shared by its subscriptions.
 */
export interface FrameSink {
  /** Whether frames can be written now. */
  readonly open: boolean;
  send(frame: string): void;
}

/** What every resolver gets. One per operation; built by the app. */
export interface Context {
  /** The credential the operation acts with, `undefined` when none was given or configured. */
  readonly credential: Credential | undefined;
  /** Why the given credential is unusable (a malformed Authorization value), if it is. */
  readonly credentialProblem: string | undefined;
  /** Whether `credential` is the gateway's default key (UPSTREAM_API_KEY) rather than the client's own. */
  readonly usesDefaultKey?: boolean | undefined;
  readonly tasks: TaskSource;
  readonly poller: Poller;
  /** Creates tasks upstream (idempotently); set where creating is wired. */
  readonly creator?: TaskCreator | undefined;
  /** Whether creates may fall back to the default key (ALLOW_DEFAULT_KEY_CREATE). */
  readonly allowDefaultKeyCreate?: boolean | undefined;
  /** Distinct task ids one operation may ask for. */
  readonly maxTaskIds: number;
  /** Set when archiving is on (ARCHIVE). */
  readonly archive?: ArchiveService | undefined;
  /** Set for websocket operations: the connection. */
  readonly sink?: FrameSink | undefined;
  /** Set for websocket operations: the graphql-ws operation id. */
  readonly operationId?: string | undefined;
  /** Whether the client still waits for the answer (its connection is open): queued upstream work of a gone client is dropped. */
  readonly stillWanted?: (() => boolean) | undefined;
}
