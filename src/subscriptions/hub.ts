import { execute as graphqlExecute, type DocumentNode, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { Context, FrameSink } from '../context.js';
import { isFinalEvent, type TaskEvent, type Watch } from '../poller/poller.js';
import type { TaskStream } from './task-stream.js';

export interface SubscriptionHubOptions {
  /** Masks unexpected errors in a result before any subscriber sees it. @default leaves errors as they are */
  maskError?: ((error: GraphQLError) => GraphQLError) | undefined;
  /** Told of the error codes sent, once per event and group, with the number of members that got them. */
  countErrors?: ((codes: string[], times: number) => void) | undefined;
  /** Runs the selection set of a subscription for one event. @default graphql-js `execute` */
  execute?: ((args: ExecutionArgs) => ExecutionResult | Promise<ExecutionResult>) | undefined;
}

export interface SubscriptionHub {
  /**
   * Adds a subscriber to the group of subscribers that share its task stream, document,
   * operation name and variables (and so its credential), and returns its result iterator.
   */
  join(args: ExecutionArgs, stream: TaskStream): AsyncIterableIterator<ExecutionResult>;
  /** Groups alive: distinct (credential, task, selection) being served. */
  readonly groups: number;
  /** Subscribers in all groups. */
  readonly subscribers: number;
}

interface Group {
  readonly key: string;
  readonly args: ExecutionArgs;
  readonly members: Set<Member>;
  watch: Watch | undefined;
  /** The last result sent, serialized once; the dedupe key and the first event of late joiners. */
  last: { result: ExecutionResult; json: string } | undefined;
  ended: boolean;
  chain: Promise<void> | undefined;
}

interface Member {
  readonly sink: FrameSink | undefined;
  /** `{"id":"…","type":"next","payload":` for websocket members. */
  readonly prefix: string;
  /** Websocket members write only once graphql-ws iterates them, so a frame never precedes its subscription. */
  started: boolean;
  ended: boolean;
  queue: ExecutionResult[] | undefined;
  waiting: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
}

/**
 * Serves subscriptions by group: each event of a task is executed, masked, compared and
 * serialized once per group and then written to every member, instead of once per subscriber.
 * Websocket members get ready-made `next` frames on their sink (graphql-ws still sends `complete`
 * and keeps its hooks for everything else); other members (SSE) get the shared result object.
 */
export function createSubscriptionHub({ maskError = (e) => e, countErrors, execute = graphqlExecute }: SubscriptionHubOptions = {}): SubscriptionHub {
  const groups = new Map<string, Group>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let nextDocumentId = 0;
  let subscribers = 0;

  function documentId(document: DocumentNode): number {
    let id = documentIds.get(document);
    if (id === undefined) documentIds.set(document, (id = nextDocumentId++));
    return id;
  }

  function run(group: Group, event: TaskEvent): void {
    const result = execute({ ...group.args, rootValue: event });
    if (result instanceof Promise) {
      group.chain = (group.chain ?? Promise.resolve()).then(() => result.then((r) => publish(group, r, event)));
    } else if (group.chain) {
      group.chain = group.chain.then(() => publish(group, result, event));
    } else publish(group, result, event);
  }

  function publish(group: Group, raw: ExecutionResult, event: TaskEvent): void {
    if (group.ended) return;
    // graphql-ws's field order, so that both paths send the same bytes.
    const result: ExecutionResult = raw.errors ? { data: raw.data, errors: raw.errors.map(maskError) } : { data: raw.data };
    const json = JSON.stringify(result);
    if (json !== group.last?.json) {
      group.last = { result, json };
      for (const member of group.members) deliver(member, result, json);
      if (result.errors && countErrors) countErrors(result.errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')), group.members.size);
    }
    if (isFinalEvent(event)) endGroup(group);
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
    } else (member.queue ??= []).push(result);
  }

  function finish(member: Member): void {
    if (member.ended) return;
    member.ended = true;
    subscribers--;
    const resolve = member.waiting;
    member.waiting = undefined;
    resolve?.({ value: undefined, done: true });
  }

  function endGroup(group: Group): void {
    group.ended = true;
    groups.delete(group.key);
    group.watch?.unwatch();
    for (const member of group.members) finish(member);
    group.members.clear();
  }

  function leave(group: Group, member: Member): void {
    finish(member);
    group.members.delete(member);
    if (group.members.size === 0 && !group.ended) {
      group.ended = true;
      groups.delete(group.key);
      group.watch?.unwatch();
    }
  }

  return {
    join(args, stream) {
      const context = args.contextValue as Context;
      const key = `${stream.credential.fingerprint}:${stream.id}\n${documentId(args.document)}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}`;
      let group = groups.get(key);
      if (!group) {
        const created: Group = { key, args, members: new Set(), watch: undefined, last: undefined, ended: false, chain: undefined };
        groups.set(key, (group = created));
        created.watch = stream.poller.watch(stream.credential, stream.id, (event) => run(created, event));
        if (created.watch.current && !created.last) run(created, created.watch.current);
      }
      const sink = context.sink;
      const member: Member = {
        sink,
        prefix: sink ? `{"id":${JSON.stringify(sink.id)},"type":"next","payload":` : '',
        started: false,
        ended: false,
        queue: undefined,
        waiting: undefined,
      };
      subscribers++;
      const joined = group;
      if (joined.ended) finish(member);
      else {
        joined.members.add(member);
        if (!sink && joined.last) member.queue = [joined.last.result];
      }

      const iterator: AsyncIterableIterator<ExecutionResult> = {
        next() {
          if (member.sink && !member.started) {
            member.started = true;
            if (joined.last && member.sink.open) member.sink.send(`${member.prefix}${joined.last.json}}`);
          }
          const queued = member.queue?.shift();
          if (queued) return Promise.resolve({ value: queued, done: false });
          if (member.ended) return Promise.resolve({ value: undefined, done: true });
          return new Promise((resolve) => (member.waiting = resolve));
        },
        return() {
          leave(joined, member);
          return Promise.resolve({ value: undefined, done: true });
        },
        throw(error: unknown) {
          leave(joined, member);
          return Promise.reject(error);
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    get groups() {
      return groups.size;
    },
    get subscribers() {
      return subscribers;
    },
  };
}
