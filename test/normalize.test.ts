import { describe, expect, it } from 'vitest';
import { NO_FAILURE_REASON, normalizeProgress, normalizeTask, normalizeTimestamp } from '../src/upstream/normalize.js';
import { taskChanged, videoTaskStatuses, type VideoTask } from '../src/upstream/video-task.js';
import { UpstreamTask } from '../src/upstream/wire.js';

const ID = 'task_abc123xyz456';
const VIDEO = 'https://storage.example.com/videos/task_abc123xyz456.mp4';

/** Parses like the client does, then normalizes. */
function normalize(raw: unknown, id = ID): VideoTask {
  return normalizeTask(id, UpstreamTask.parse(raw));
}

// The four examples of the upstream doc, verbatim.
const documented = {
  queued: { task_id: ID, action: 'generate', status: 'queued', progress: '10%', fail_reason: '', submit_time: 1705334400, start_time: 0, finish_time: 0 },
  inProgress: { task_id: ID, action: 'generate', status: 'in_progress', progress: '50%', fail_reason: '', submit_time: 1705334400, start_time: 1705334410, finish_time: 0 },
  success: { task_id: ID, action: 'generate', status: 'success', progress: '100%', fail_reason: VIDEO, submit_time: 1705334400, start_time: 1705334410, finish_time: 1705334520 },
  failure: { task_id: ID, action: 'generate', status: 'failure', progress: '100%', fail_reason: 'task failed', submit_time: 1705334400, start_time: 1705334410, finish_time: 1705334450 },
};

describe('normalizeTask statuses', () => {
  it.each([
    ['queued', 'QUEUED'],
    ['QUEUED', 'QUEUED'],
    ['in_progress', 'IN_PROGRESS'],
    ['IN_PROGRESS', 'IN_PROGRESS'],
    ['success', 'SUCCESS'],
    ['SUCCESS', 'SUCCESS'],
    ['failure', 'FAILURE'],
    ['FAILURE', 'FAILURE'],
    ['NOT_START', 'SUBMITTED'],
    ['not_start', 'SUBMITTED'],
    ['SUBMITTED', 'SUBMITTED'],
    ['submitted', 'SUBMITTED'],
    [' Success ', 'SUCCESS'],
  ])('should map the upstream status %j to %s', (upstream, expected) => {
    expect(normalize({ status: upstream }).status).toBe(expected);
  });

  it('should keep the upstream status untouched in upstreamStatus', () => {
    expect(normalize({ status: ' In_Progress ' }).upstreamStatus).toBe(' In_Progress ');
  });

  it('should map an unknown status to UNKNOWN and keep it raw', () => {
    const task = normalize({ status: 'CANCELLED_BY_ADMIN' });
    expect(task.status).toBe('UNKNOWN');
    expect(task.upstreamStatus).toBe('CANCELLED_BY_ADMIN');
  });

  it('should map a missing status to UNKNOWN with an empty upstreamStatus', () => {
    const task = normalize({ task_id: ID });
    expect(task.status).toBe('UNKNOWN');
    expect(task.upstreamStatus).toBe('');
  });

  it('should map a status that is not a string to UNKNOWN', () => {
    expect(normalize({ status: 3 }).status).toBe('UNKNOWN');
  });

  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty'])(
    'should map the status %j, named like an Object.prototype member, to UNKNOWN',
    (upstream) => {
      const task = normalize({ status: upstream });
      expect(task.status).toBe('UNKNOWN');
      expect(videoTaskStatuses).toContain(task.status);
    },
  );
});

describe('normalizeTask documented examples', () => {
  it('should normalize the documented queued example', () => {
    expect(normalize(documented.queued)).toEqual({
      id: ID,
      status: 'QUEUED',
      progress: 10,
      videoUrl: null,
      error: null,
      submittedAt: '2024-01-15T16:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      action: 'generate',
      upstreamStatus: 'queued',
    });
  });

  it('should normalize the documented in-progress example', () => {
    expect(normalize(documented.inProgress)).toEqual({
      id: ID,
      status: 'IN_PROGRESS',
      progress: 50,
      videoUrl: null,
      error: null,
      submittedAt: '2024-01-15T16:00:00.000Z',
      startedAt: '2024-01-15T16:00:10.000Z',
      finishedAt: null,
      action: 'generate',
      upstreamStatus: 'in_progress',
    });
  });

  it('should take the video URL of a documented success from fail_reason', () => {
    expect(normalize(documented.success)).toEqual({
      id: ID,
      status: 'SUCCESS',
      progress: 100,
      videoUrl: VIDEO,
      error: null,
      submittedAt: '2024-01-15T16:00:00.000Z',
      startedAt: '2024-01-15T16:00:10.000Z',
      finishedAt: '2024-01-15T16:02:00.000Z',
      action: 'generate',
      upstreamStatus: 'success',
    });
  });

  it('should take the error of a documented failure from fail_reason', () => {
    expect(normalize(documented.failure)).toEqual({
      id: ID,
      status: 'FAILURE',
      progress: 100,
      videoUrl: null,
      error: 'task failed',
      submittedAt: '2024-01-15T16:00:00.000Z',
      startedAt: '2024-01-15T16:00:10.000Z',
      finishedAt: '2024-01-15T16:00:50.000Z',
      action: 'generate',
      upstreamStatus: 'failure',
    });
  });
});

describe('normalizeTask video URL and error', () => {
  it('should take the video URL from result_url when fail_reason is empty', () => {
    expect(normalize({ status: 'SUCCESS', fail_reason: '', result_url: VIDEO }).videoUrl).toBe(VIDEO);
  });

  it('should prefer result_url over a URL in fail_reason', () => {
    const task = normalize({ status: 'SUCCESS', fail_reason: 'https://other.example.com/a.mp4', result_url: VIDEO });
    expect(task.videoUrl).toBe(VIDEO);
  });

  it('should take the video URL from video_url or url when the others are empty', () => {
    expect(normalize({ status: 'success', fail_reason: '', result_url: '', video_url: VIDEO }).videoUrl).toBe(VIDEO);
    expect(normalize({ status: 'success', fail_reason: '', url: VIDEO }).videoUrl).toBe(VIDEO);
  });

  it('should give a SUCCESS without any URL a null videoUrl', () => {
    const task = normalize({ status: 'SUCCESS', fail_reason: '', result_url: '' });
    expect(task.status).toBe('SUCCESS');
    expect(task.videoUrl).toBeNull();
    expect(task.error).toBeNull();
  });

  it('should not take text that is not an http(s) URL as the video URL', () => {
    expect(normalize({ status: 'success', fail_reason: 'done', result_url: 'javascript:alert(1)' }).videoUrl).toBeNull();
  });

  it('should trim whitespace around the video URL', () => {
    expect(normalize({ status: 'success', fail_reason: `  ${VIDEO}\n` }).videoUrl).toBe(VIDEO);
  });

  it.each(['queued', 'in_progress', 'failure', 'NOT_START', 'weird'])('should never set videoUrl when the status is %j', (status) => {
    expect(normalize({ status, fail_reason: VIDEO, result_url: VIDEO, video_url: VIDEO, url: VIDEO }).videoUrl).toBeNull();
  });

  it.each(['queued', 'IN_PROGRESS', 'success', 'SUBMITTED', 'weird'])('should never set error when the status is %j', (status) => {
    expect(normalize({ status, fail_reason: 'the prompt was rejected' }).error).toBeNull();
  });

  it('should give a FAILURE with an empty fail_reason the fallback message', () => {
    expect(normalize({ status: 'FAILURE', fail_reason: '' }).error).toBe(NO_FAILURE_REASON);
  });

  it('should give a FAILURE with a blank fail_reason the fallback message', () => {
    expect(normalize({ status: 'FAILURE', fail_reason: '   ' }).error).toBe(NO_FAILURE_REASON);
  });

  it('should give a FAILURE without fail_reason the fallback message', () => {
    expect(normalize({ status: 'failure' }).error).toBe(NO_FAILURE_REASON);
  });
});

describe('normalizeTask other fields', () => {
  it('should use the id it was given, not the upstream task_id', () => {
    expect(normalize({ task_id: 'other', status: 'queued' }, 'asked_for').id).toBe('asked_for');
  });

  it('should keep the action', () => {
    expect(normalize({ status: 'queued', action: 'generate' }).action).toBe('generate');
  });

  it('should give a missing or empty action null', () => {
    expect(normalize({ status: 'queued' }).action).toBeNull();
    expect(normalize({ status: 'queued', action: '' }).action).toBeNull();
  });

  it('should ignore fields it does not know, as the current shape sends them', () => {
    const current = {
      id: 7,
      task_id: ID,
      action: 'generate',
      platform: 'doubao',
      user_id: 1,
      channel_id: 1,
      quota: 0,
      status: 'SUCCESS',
      progress: '100%',
      fail_reason: '',
      result_url: VIDEO,
      properties: { anything: true },
      submit_time: 1705334400,
      start_time: 1705334410,
      finish_time: 1705334520,
      created_at: 1705334400,
      updated_at: 1705334520,
    };
    expect(normalize(current)).toEqual({ ...normalize(documented.success), upstreamStatus: 'SUCCESS' });
  });

  it('should treat a field of the wrong type as absent instead of failing', () => {
    const task = normalize({ status: 'failure', fail_reason: { nested: true }, action: 42, progress: [1], submit_time: { t: 1 } });
    expect(task).toMatchObject({ status: 'FAILURE', error: NO_FAILURE_REASON, action: null, progress: 100, submittedAt: null });
  });
});

describe('normalizeProgress', () => {
  it.each<[string | number, number]>([
    ['50%', 50],
    [50, 50],
    ['50', 50],
    [49.6, 50],
    ['49.4%', 49],
    [' 50 % ', 50],
    [0, 0],
    ['100%', 100],
  ])('should read %j as %d', (value, expected) => {
    expect(normalizeProgress(value, 'IN_PROGRESS')).toBe(expected);
  });

  it.each<[string | number, number]>([
    [150, 100],
    ['250%', 100],
    [-5, 0],
    ['-20%', 0],
  ])('should clamp the out-of-range value %j to %d', (value, expected) => {
    expect(normalizeProgress(value, 'IN_PROGRESS')).toBe(expected);
  });

  it.each(['', 'abc', '%', 'NaN', 'Infinity'])('should read the garbage %j of an unfinished task as 0', (value) => {
    expect(normalizeProgress(value, 'IN_PROGRESS')).toBe(0);
  });

  it('should read a missing value of an unfinished task as 0', () => {
    expect(normalizeProgress(undefined, 'QUEUED')).toBe(0);
  });

  it.each(['SUCCESS', 'FAILURE'] as const)('should read a missing or garbage value of a %s task as 100', (status) => {
    expect(normalizeProgress(undefined, status)).toBe(100);
    expect(normalizeProgress('abc', status)).toBe(100);
  });

  it('should keep a usable value of a final task', () => {
    expect(normalizeProgress('60%', 'FAILURE')).toBe(60);
  });
});

describe('normalizeTimestamp', () => {
  it('should give 0 null, meaning "not yet"', () => {
    expect(normalizeTimestamp(0)).toBeNull();
    expect(normalizeTimestamp('0')).toBeNull();
  });

  it('should give a missing or negative value null', () => {
    expect(normalizeTimestamp(undefined)).toBeNull();
    expect(normalizeTimestamp(-1705334400)).toBeNull();
    expect(normalizeTimestamp('-1705334400')).toBeNull();
  });

  it('should read unix seconds as ISO 8601 in UTC', () => {
    expect(normalizeTimestamp(1705334400)).toBe('2024-01-15T16:00:00.000Z');
  });

  it('should read a numeric string as unix seconds', () => {
    expect(normalizeTimestamp('1705334400')).toBe('2024-01-15T16:00:00.000Z');
    expect(normalizeTimestamp(' 1705334400 ')).toBe('2024-01-15T16:00:00.000Z');
  });

  it('should keep fractional seconds', () => {
    expect(normalizeTimestamp(1705334400.5)).toBe('2024-01-15T16:00:00.500Z');
  });

  it('should read values too large to be seconds as milliseconds', () => {
    expect(normalizeTimestamp(1705334400123)).toBe('2024-01-15T16:00:00.123Z');
    expect(normalizeTimestamp('1705334400123')).toBe('2024-01-15T16:00:00.123Z');
  });

  it.each(['', 'abc', '2024-01-15', '12abc', '1e9'])('should give the unparsable string %j null', (value) => {
    expect(normalizeTimestamp(value)).toBeNull();
  });

  it('should give a value beyond the range of a date null', () => {
    expect(normalizeTimestamp(1e300)).toBeNull();
  });
});

describe('taskChanged', () => {
  const base = normalize(documented.inProgress);

  it('should report no change between equal states', () => {
    expect(taskChanged(base, { ...base })).toBe(false);
  });

  it.each<[keyof VideoTask, unknown]>([
    ['status', 'SUCCESS'],
    ['progress', 51],
    ['videoUrl', VIDEO],
    ['error', 'boom'],
    ['submittedAt', '2024-01-15T16:00:01.000Z'],
    ['startedAt', null],
    ['finishedAt', '2024-01-15T16:02:00.000Z'],
    ['action', null],
    ['upstreamStatus', 'IN_PROGRESS'],
  ])('should report a change of %s', (key, value) => {
    expect(taskChanged(base, { ...base, [key]: value })).toBe(true);
  });

  it('should report a change from in progress to the documented success', () => {
    expect(taskChanged(base, normalize(documented.success))).toBe(true);
  });
});
