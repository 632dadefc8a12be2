import { describe, expect, it } from 'vitest';
import { createLimiter, type Lane } from '../src/upstream/limiter.js';

/** A job that records when it starts and finishes when told to. */
function gated(started: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return {
    fn: () => {
      started.push(name);
      return done.then(() => name);
    },
    finish: () => finish(),
  };
}

const options = { skip: () => false, skipped: 'skipped' as const, refused: 'refused' as const };

describe('createLimiter fairness', () => {
  it('should give each credential one turn in a round instead of serving the longest backlog first', async () => {
    const limiter = createLimiter({ concurrency: 1 });
    const started: string[] = [];
    const blocker = gated(started, 'blocker');
    void limiter.run('query', 'x', blocker.fn);
    const jobs: [string, string][] = [
      ['a', 'a1'],
      ['a', 'a2'],
      ['a', 'a3'],
      ['a', 'a4'],
      ['b', 'b1'],
      ['c', 'c1'],
    ];
    const promises = jobs.map(([key, name]) => limiter.run('query', key, () => (started.push(name), Promise.resolve(name))));
    blocker.finish();
    await Promise.all(promises);
    expect(started).toEqual(['blocker', 'a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
  });

  it('should still alternate between the query and poll lanes', async () => {
    const limiter = createLimiter({ concurrency: 1 });
    const started: string[] = [];
    const blocker = gated(started, 'blocker');
    void limiter.run('query', 'x', blocker.fn);
    const names: [Lane, string, string][] = [
      ['poll', 'a', 'p1'],
      ['poll', 'b', 'p2'],
      ['query', 'a', 'q1'],
      ['query', 'b', 'q2'],
    ];
    const promises = names.map(([lane, key, name]) => limiter.run(lane, key, () => (started.push(name), Promise.resolve(name))));
    blocker.finish();
    await Promise.all(promises);
    expect(started).toEqual(['blocker', 'p1', 'q1', 'p2', 'q2']);
  });
});

describe('createLimiter queue limit', () => {
  it('should refuse a newcomer at once when the queue is full and its credential has the longest backlog', async () => {
    const limiter = createLimiter({ concurrency: 1, queueLimit: 3 });
    const started: string[] = [];
    const blocker = gated(started, 'blocker');
    void limiter.run('query', 'a', blocker.fn);
    const queued = ['a1', 'a2', 'a3'].map((name) => limiter.schedule('query', 'a', () => Promise.resolve(name), options).promise);
    expect(limiter.queued).toBe(3);
    expect(await limiter.schedule('query', 'a', () => Promise.resolve('a4'), options).promise).toBe('refused');
    expect(limiter.queued).toBe(3);
    blocker.finish();
    expect(await Promise.all(queued)).toEqual(['a1', 'a2', 'a3']);
  });

  it('should make room for another credential by refusing the newest job of the longest backlog', async () => {
    const limiter = createLimiter({ concurrency: 1, queueLimit: 3 });
    const started: string[] = [];
    const blocker = gated(started, 'blocker');
    void limiter.run('query', 'a', blocker.fn);
    const queued = ['a1', 'a2', 'a3'].map((name) => limiter.schedule('query', 'a', () => Promise.resolve(name), options).promise);
    const other = limiter.schedule('query', 'b', () => Promise.resolve('b1'), options).promise;
    expect(limiter.queued).toBe(3);
    blocker.finish();
    expect(await Promise.all([...queued, other])).toEqual(['a1', 'a2', 'refused', 'b1']);
  });

  it('should drop a job whose skip says nobody wants it any more when its turn comes', async () => {
    const limiter = createLimiter({ concurrency: 1 });
    const started: string[] = [];
    const blocker = gated(started, 'blocker');
    void limiter.run('query', 'a', blocker.fn);
    let wanted = true;
    const job = limiter.schedule('query', 'a', () => (started.push('ran'), Promise.resolve('ran')), { ...options, skip: () => !wanted });
    wanted = false;
    blocker.finish();
    expect(await job.promise).toBe('skipped');
    expect(started).toEqual(['blocker']);
  });
});
