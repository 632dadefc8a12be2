import { createSourceEventStream, execute as graphqlExecute, GraphQLError, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import type { Context, FrameSink } from '../context.js';
import { isFinalEvent, type TaskEvent, type Watch } from '../poller/poller.js';
import { ErrorCode } from '../errors.js';
import { codedError } from '../schema/errors.js';
import { publicResult } from '../schema/public-errors.js';
import { selectsField } from './selects-field.js';
import { isTaskStream, type TaskStream, type TaskStreamEvent } from './task-stream.js';

export interface SubscriptionHubOptions {
  /** Masks unexpected errors in a result before any subscriber sees it. @default leaves errors as they are */
  maskError?: ((error: GraphQLError) => GraphQLError) | undefined;
  /** Told of the error codes sent, once per event and group, with the number of members that got them. */
  countErrors?: ((codes: string[], times: number) => void) | undefined;
  /** Runs the selection set of a subscription for one event. @default graphql-js `execute` */
  execute?: ((args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>) | undefined;
  /**
   * Bytes of results an iterated member (SSE) may have waiting, unread by its transport; past it
   * the member is ended (its stream completes). Websocket members are bounded by their socket.
   * @default 1048576
   */
  maxQueuedBytes?: number | undefined;
  /** Told when a member is ended for not reading its results. */
  onSlowConsumer?: (() => void) | undefined;
}

export interface SubscriptionHub {
  /**
   * graphql-js's `subscribe`, grouped: the field's subscribe resolver runs for this subscriber
   * (argument checks, credential, coded errors, masked here), then it joins its group.
   */
  subscribe(args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult>;
  /** Groups alive: distinct (credential, tasks, selection) being served. */
  readonly groups: number;
  /** Subscribers in all groups. */
  readonly subscribers: number;
}

interface Group {
  readonly key: string;
  readonly args: ExecutionArgs;
  readonly members: Set<Member>;
  /** The tasks whose part of the stream goes on; the group ends when none is left. */
  readonly parts: Set<string>;
  readonly watches: Map<string, Watch>;
  /**
   * The last result sent for each task, serialized once: the dedupe key of that task's events and
   * the first events of late joiners.
   */
  readonly last: Map<string, { result: ExecutionResult; json: string }>;
  ended: boolean;
  chain: Promise<void> | undefined;
  /** Whether the selection has `archive`: then a task's part ends once its archive settled, not at SUCCESS. */
  readonly selectsArchive: boolean;
  /** Tasks whose part waits (or waited) for their archive to settle. */
  readonly awaitedArchives: Set<string>;
}

interface Member extends AsyncIterableIterator<ExecutionResult> {
  readonly group: Group;
  readonly hub: HubInternals;
  readonly sink: FrameSink | undefined;
  /** `{"id":"…","type":"next","payload":` for websocket members. */
  readonly prefix: string;
  /** Websocket members write only once graphql-ws iterates them, so a frame never precedes its subscription. */
  started: boolean;
  ended: boolean;
  queue: Queued[] | undefined;
  /** Bytes (of serialized results) in `queue`. */
  queuedBytes: number;
  waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
}

interface HubInternals {
  leave(member: Member): void;
}

const done: IteratorResult<ExecutionResult> = { value: undefined, done: true };

interface Queued {
  readonly result: ExecutionResult;
  readonly bytes: number;
}

// Shared by every member: per-subscriber closures would cost memory at ten thousand subscribers.
const memberMethods: Pick<Member, 'next' | 'return' | 'throw' | typeof Symbol.asyncIterator> = {
  next(this: Member) {
    const { group } = this;
    if (this.sink && !this.started) {
      this.started = true;
      if (this.sink.open) for (const last of group.last.values()) this.sink.send(`${this.prefix}${last.json}}`);
    }
    const queued = this.queue?.shift();
    if (queued) {
      this.queuedBytes -= queued.bytes;
      return Promise.resolve({ value: queued.result, done: false });
    }
    if (this.ended) return Promise.resolve(done);
    return new Promise((resolve) => (this.waiting = resolve));
  },
  return(this: Member) {
    this.hub.leave(this);
    return Promise.resolve(done);
  },
  throw(this: Member, error: unknown) {
    this.hub.leave(this);
    return Promise.reject(error);
  },
  [Symbol.asyncIterator](this: Member) {
    return this;
  },
};

/**
 * Serves subscriptions by group: each event of a task is executed, masked, compared and
 * serialized once per group and then written to every member, instead of once per subscriber.
 * A group may watch several tasks (`videoTasksUpdated`): each task's events are compared with that
 * task's last result, a final event ends that task's part, and the group completes when all ended.
 * Websocket members get ready-made `next` frames on their sink (graphql-ws still sends `complete`
 * and keeps its hooks for everything else); other members (SSE) get the shared result object.
 */
export function createSubscriptionHub({
  maskError = (e) => e,
  countErrors,
  execute = graphqlExecute,
  maxQueuedBytes = 1 << 20,
  onSlowConsumer,
}: SubscriptionHubOptions = {}): SubscriptionHub {
  const groups = new Map<string, Group>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  let subscribers = 0;

  function documentId(document: DocumentNode): number {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
    return id;
  }

  function run(group: Group, taskId: string, event: TaskEvent): void {
    const rootValue: TaskStreamEvent = { ...event, taskId };
    const result = execute({ ...group.args, rootValue });
    if (result instanceof Promise) {
      group.chain = (group.chain ?? Promise.resolve()).then(() => result.then((r) => publish(group, taskId, r, event))).catch(() => endGroup(group));
    } else if (group.chain) {
      group.chain = group.chain.then(() => publish(group, taskId, result, event)).catch(() => endGroup(group));
    } else publish(group, taskId, result, event);
  }

  function publish(group: Group, taskId: string, raw: ExecutionResult, event: TaskEvent): void {
    if (group.ended) return;
    // graphql-ws's field order, so that both paths send the same bytes.
    const result: ExecutionResult = raw.errors ? { data: raw.data, errors: raw.errors.map(maskError) } : { data: raw.data };
    // The frame path writes these bytes itself: without yoga's internal error extensions.
    const json = JSON.stringify(publicResult(result));
    if (json !== group.last.get(taskId)?.json) {
      group.last.set(taskId, { result, json });
      for (const member of group.members) deliver(member, result, json);
      if (result.errors && countErrors) countErrors(result.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')), group.members.size);
    }
    if (isFinalEvent(event) && !awaitArchive(group, taskId, event)) endPart(group, taskId);
  }

  /**
   * A final SUCCESS whose archive is still pending, for a group that selected `archive`: the task's
   * part stays for one more event, the same task once its archive settled. Returns whether it waits.
   */
  function awaitArchive(group: Group, taskId: string, event: TaskEvent): boolean {
    const { archive, credential } = group.args.contextValue as Context;
    if (!group.selectsArchive || group.awaitedArchives.has(taskId) || !archive || !credential || event.type !== 'task') return false;
    const settling = archive.pending(credential, event.task);
    if (!settling) return false;
    group.awaitedArchives.add(taskId);
    settling.then(
      () => {
        if (!group.ended) run(group, taskId, event);
      },
      () => endPart(group, taskId),
    );
    return true;
  }

  /** A task's part of the stream is over (final state, or a final failure of that task). */
  function endPart(group: Group, taskId: string): void {
    group.parts.delete(taskId);
    group.watches.get(taskId)?.unwatch();
    group.watches.delete(taskId);
    if (group.parts.size === 0) endGroup(group);
  }

  function deliver(member: Member, result: ExecutionResult, json: string): void {
    if (member.ended) return;
    if (member.sink) {
      if (member.started && member.sink.open) member.sink.send(`${member.prefix}${json}}`);
      return;
    }
    if (member.waiting) {
      const resolve = member.waiting;
      member.waiting = undefined;
      resolve({ value: result, done: false });
      return;
    }
    (member.queue ??= []).push({ result, bytes: json.length });
    member.queuedBytes += json.length;
    if (member.queuedBytes > maxQueuedBytes) {
      // A consumer that does not read: its results are dropped and its stream ends.
      member.queue = undefined;
      member.queuedBytes = 0;
      leave(member);
      onSlowConsumer?.();
    }
  }

  function finish(member: Member): void {
    if (member.ended) return;
    member.ended = true;
    subscribers--;
    const resolve = member.waiting;
    member.waiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  function unwatchAll(group: Group): void {
    for (const watch of group.watches.values()) watch.unwatch();
    group.watches.clear();
    group.parts.clear();
  }

  function endGroup(group: Group): void {
    group.ended = true;
    groups.delete(group.key);
    unwatchAll(group);
    for (const member of group.members) finish(member);
    group.members.clear();
  }

  function leave(member: Member): void {
    const { group } = member;
    finish(member);
    group.members.delete(member);
    if (group.members.size === 0 && !group.ended) {
      group.ended = true;
      groups.delete(group.key);
      unwatchAll(group);
    }
  }

  const internals: HubInternals = { leave };

  /**
   * Adds a subscriber to the group of subscribers that share its task stream, document,
   * operation name and variables (and so its credential), and returns its result iterator.
   */
  function join(args: ExecutionArgs, stream: TaskStream, variables: string): AsyncIterableIterator<ExecutionResult> {
    const context = args.contextValue as Context;
    const key = `${stream.credential.fingerprint}:${stream.ids.join(',')}\n${documentId(args.document)}\n${args.operationName ?? ''}\n${variables}`;
    let group = groups.get(key);
    if (!group) {
      // The group keeps what execution needs, not the subscriber's whole argument object.
      // Nor its context, which holds its connection or HTTP request: the fields that resolvers use.
      const { schema, document, variableValues, operationName } = args;
      const { credential, credentialProblem, tasks, poller, maxTaskIds, archive } = context;
      const contextValue: Context = { credential, credentialProblem, tasks, poller, maxTaskIds, archive };
      const created: Group = {
        key,
        args: { schema, document, variableValues, operationName, contextValue },
        members: new Set(),
        parts: new Set(stream.ids),
        watches: new Map(),
        last: new Map(),
        ended: false,
        chain: undefined,
        selectsArchive: archive !== undefined && selectsField(document, operationName, 'archive'),
        awaitedArchives: new Set(),
      };
      groups.set(key, (group = created));
      try {
        for (const id of stream.ids) {
          const watch = stream.poller.watch(stream.credential, id, (event) => run(created, id, event));
          // A part may have ended while watching (an event delivered at once).
          if (created.parts.has(id)) created.watches.set(id, watch);
          else watch.unwatch();
        }
      } catch (error) {
        // No group is left behind half-made for the next subscriber to join.
        endGroup(created);
        throw error;
      }
      // Then the current state of each task at once (a closed poller's too, which ends its part).
      for (const [id, watch] of [...created.watches]) if (watch.current && !created.last.has(id)) run(created, id, watch.current);
      if (created.parts.size === 0 && !created.ended) endGroup(created);
    }
    const sink = context.sink;
    const member: Member = Object.assign(Object.create(memberMethods) as Member, {
      group,
      hub: internals,
      sink,
      prefix: sink ? `{"id":${JSON.stringify(context.operationId ?? '')},"type":"next","payload":` : '',
      started: false,
      ended: false,
      queue: undefined,
      queuedBytes: 0,
      waiting: undefined,
    });
    subscribers++;
    if (group.ended) finish(member);
    else {
      group.members.add(member);
      if (!sink && group.last.size > 0) {
        member.queue = [...group.last.values()].map((last) => ({ result: last.result, bytes: last.json.length }));
        member.queuedBytes = member.queue.reduce((sum, queued) => sum + queued.bytes, 0);
      }
    }
    return member;
  }

  return {
    async subscribe(args) {
      const source = await createSourceEventStream(args);
      if (!isTaskStream(source)) {
        if (Symbol.asyncIterator in source) throw new Error('Subscription fields must return a TaskStream (see createTaskStream).');
        // An error of the field's subscribe resolver (a coded one, or an unexpected one to mask);
        // the transport counts it, as it sends it.
        const errors = source.errors?.map(maskError);
        return errors ? { ...source, errors } : source;
      }
      // Variables a client made unserializable (nested past the engine's stack) cost this
      // operation a coded error, never the connection.
      let variables: string;
      try {
        variables = JSON.stringify(args.variableValues ?? {});
      } catch {
        return { errors: [codedError(ErrorCode.BadUserInput, 'The variables could not be serialized: they are nested too deeply.')] };
      }
      try {
        return join(args, source, variables);
      } catch (error) {
        // Whatever failed while joining costs this operation a masked error, never its connection
        // (graphql-ws would close the socket on a thrown error).
        const unexpected = error instanceof GraphQLError ? error : new GraphQLError(error instanceof Error ? error.message : String(error), { originalError: error instanceof Error ? error : undefined });
        return { errors: [maskError(unexpected)] };
      }
    },
    get groups() {
      return groups.size;
    },
    get subscribers() {
      return subscribers;
    },
  };
}
