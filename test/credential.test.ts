import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createCredentials, parseBearer } from '../src/credential.js';
import { createLogger, scrub } from '../src/logger.js';

const TOKEN = 'sk-live-Q7xZ9mN2pR4tW6yB8dF1';
const OTHER = 'sk-live-K3jH5gL7vC9nM1bX2zA4';

describe('createCredentials', () => {
  it('should give one token the same fingerprint every time', () => {
    const credentials = createCredentials('secret-1');
    expect(credentials.fromToken(TOKEN).fingerprint).toBe(createCredentials('secret-1').fromToken(TOKEN).fingerprint);
  });

  it('should give one token different fingerprints under different secrets', () => {
    expect(createCredentials('secret-1').fromToken(TOKEN).fingerprint).not.toBe(createCredentials('secret-2').fromToken(TOKEN).fingerprint);
  });

  it('should give different tokens different fingerprints', () => {
    const credentials = createCredentials('secret-1');
    expect(credentials.fromToken(TOKEN).fingerprint).not.toBe(credentials.fromToken(OTHER).fingerprint);
  });

  it('should make a fingerprint that neither equals nor contains the token', () => {
    const { fingerprint } = createCredentials('secret-1').fromToken(TOKEN);
    expect(fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(fingerprint).not.toContain(TOKEN);
  });

  it('should keep the token readable for forwarding', () => {
    expect(createCredentials('secret-1').fromToken(TOKEN).token).toBe(TOKEN);
  });

  it('should return the same credential for the same token', () => {
    const credentials = createCredentials('secret-1');
    expect(credentials.fromToken(TOKEN)).toBe(credentials.fromToken(TOKEN));
  });

  it('should keep giving the right credential after many tokens', () => {
    const credentials = createCredentials('secret-1');
    const first = credentials.fromToken(TOKEN);
    for (let i = 0; i < 2000; i++) credentials.fromToken(`sk-${i}`);
    expect(credentials.fromToken(TOKEN).fingerprint).toBe(first.fingerprint);
    expect(credentials.fromToken(TOKEN).token).toBe(TOKEN);
  });

  it('should not put the token in JSON.stringify', () => {
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    expect(JSON.stringify(credential)).not.toContain(TOKEN);
    expect(JSON.stringify({ nested: { credential } })).not.toContain(TOKEN);
    expect(JSON.parse(JSON.stringify(credential))).toEqual({ fingerprint: credential.fingerprint });
  });

  it('should not put the token in String() or a template string', () => {
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    expect(String(credential)).not.toContain(TOKEN);
    expect(`${credential}`).not.toContain(TOKEN);
    expect(String(credential)).toContain(credential.fingerprint.slice(0, 8));
  });

  it('should not put the token in util.inspect', () => {
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    expect(inspect(credential)).not.toContain(TOKEN);
    expect(inspect({ deep: { credential } }, { depth: 10, showHidden: true })).not.toContain(TOKEN);
  });

  it('should not expose the token to Object.keys or spreading', () => {
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    expect(Object.keys(credential)).toEqual(['fingerprint']);
    expect(JSON.stringify({ ...credential })).not.toContain(TOKEN);
  });

  it('should be frozen', () => {
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    expect(Object.isFrozen(credential)).toBe(true);
    expect(() => {
      (credential as { fingerprint: string }).fingerprint = 'forged';
    }).toThrow(TypeError);
  });
});

describe('parseBearer', () => {
  it.each([undefined, null, ''])('should give undefined for the absent header %j', (header) => {
    expect(parseBearer(header)).toBeUndefined();
  });

  it.each([
    ['Bearer abc', 'abc'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['  Bearer    abc  ', 'abc'],
    ['Bearer\tabc', 'abc'],
    [`Bearer ${TOKEN}`, TOKEN],
  ])('should read the token of %j', (header, token) => {
    expect(parseBearer(header)).toBe(token);
  });

  it.each([['Basic dXNlcjpwYXNz'], ['Bearer'], ['Bearer '], ['Bearerabc'], ['Bearer a b'], ['abc'], ['Token abc'], [42], [['Bearer abc']], [{}]])(
    'should give null for the non-bearer header %j',
    (header) => {
      expect(parseBearer(header)).toBeNull();
    },
  );
});

describe('scrub', () => {
  it('should redact the token after "Bearer " in a string', () => {
    expect(scrub(`Authorization: Bearer ${TOKEN}`)).toBe('Authorization: Bearer [redacted]');
  });

  it('should redact every token in a string, in any case', () => {
    const scrubbed = scrub(`first bearer ${TOKEN}, then BEARER ${OTHER} again`) as string;
    expect(scrubbed).not.toContain(TOKEN);
    expect(scrubbed).not.toContain(OTHER);
    expect(scrubbed).toBe('first bearer [redacted], then BEARER [redacted] again');
  });

  it('should redact a whole JWT, dots included', () => {
    expect(scrub('Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl')).toBe('Bearer [redacted]');
  });

  it('should stop a token at a quote', () => {
    expect(scrub(`{"authorization":"Bearer ${TOKEN}"}`)).toBe('{"authorization":"Bearer [redacted]"}');
  });

  it('should leave strings without a bearer token alone', () => {
    expect(scrub('nothing to see, bearer-of-news')).toBe('nothing to see, bearer-of-news');
  });

  it('should redact the token in an error message and keep the error name', () => {
    const error = new TypeError(`could not parse Bearer ${TOKEN}`);
    const scrubbed = scrub(error) as Error;
    expect(scrubbed).toBeInstanceOf(Error);
    expect(scrubbed.name).toBe('TypeError');
    expect(scrubbed.message).toBe('could not parse Bearer [redacted]');
    expect(scrubbed.stack).not.toContain(TOKEN);
  });

  it('should not change the original error', () => {
    const error = new Error(`Bearer ${TOKEN}`);
    scrub(error);
    expect(error.message).toBe(`Bearer ${TOKEN}`);
  });

  it('should scrub the same error twice in a row', () => {
    const error = new Error(`Bearer ${TOKEN}`);
    expect((scrub(error) as Error).message).not.toContain(TOKEN);
    expect((scrub(error) as Error).message).not.toContain(TOKEN);
  });

  it('should return an error without a token as is', () => {
    const error = new Error('plain failure');
    expect(scrub(error)).toBe(error);
  });

  it('should scrub objects without changing them, and return other values as is', () => {
    const object = { authorization: `Bearer ${TOKEN}` };
    expect(scrub(object)).toEqual({ authorization: 'Bearer [redacted]' });
    expect(object.authorization).toBe(`Bearer ${TOKEN}`);
    const clean = { status: 'ok' };
    expect(scrub(clean)).toBe(clean);
    expect(scrub(42)).toBe(42);
    expect(scrub(undefined)).toBeUndefined();
  });
});

describe('createLogger', () => {
  /** A debug logger writing into memory, and its lines parsed. */
  function memoryLogger() {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger('debug', stream);
    return {
      logger,
      text: () => chunks.join(''),
      lines: () => chunks.join('').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>),
    };
  }

  it('should write JSON lines at debug level', () => {
    const { logger, lines } = memoryLogger();
    logger.debug({ answer: 42 }, 'hello');
    expect(lines()).toMatchObject([{ level: 20, msg: 'hello', answer: 42, service: 'video-task-gateway' }]);
  });

  it('should redact authorization', () => {
    const { logger, lines, text } = memoryLogger();
    logger.info({ authorization: `Bearer ${TOKEN}` }, 'request');
    expect(text()).not.toContain(TOKEN);
    expect(lines()[0]).toMatchObject({ authorization: '[redacted]' });
  });

  it('should redact headers.authorization', () => {
    const { logger, lines, text } = memoryLogger();
    logger.info({ headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/json' } }, 'request');
    expect(text()).not.toContain(TOKEN);
    expect(lines()[0]).toMatchObject({ headers: { authorization: '[redacted]', accept: 'application/json' } });
  });

  it('should redact the authorization headers of a nested request', () => {
    const { logger, text } = memoryLogger();
    logger.info({ req: { headers: { authorization: `Bearer ${TOKEN}` } } }, 'request');
    expect(text()).not.toContain(TOKEN);
  });

  it('should redact token', () => {
    const { logger, lines, text } = memoryLogger();
    logger.info({ token: TOKEN, task: { token: OTHER } }, 'request');
    expect(text()).not.toContain(TOKEN);
    expect(text()).not.toContain(OTHER);
    expect(lines()[0]).toMatchObject({ token: '[redacted]', task: { token: '[redacted]' } });
  });

  it('should redact connectionParams', () => {
    const { logger, lines, text } = memoryLogger();
    logger.info({ connectionParams: { authorization: `Bearer ${TOKEN}`, apiKey: OTHER } }, 'connected');
    logger.info({ ctx: { connectionParams: { token: TOKEN } } }, 'connected');
    expect(text()).not.toContain(TOKEN);
    expect(text()).not.toContain(OTHER);
    expect(lines()[0]).toMatchObject({ connectionParams: '[redacted]' });
  });

  it('should log a credential by its fingerprint only', () => {
    const { logger, text } = memoryLogger();
    const credential = createCredentials('secret-1').fromToken(TOKEN);
    logger.info({ credential }, 'asking the upstream');
    expect(text()).not.toContain(TOKEN);
    expect(text()).toContain(credential.fingerprint);
  });

  it('should scrub a bearer token from the message', () => {
    const { logger, lines, text } = memoryLogger();
    logger.warn(`upstream said: Bearer ${TOKEN} is invalid`);
    expect(text()).not.toContain(TOKEN);
    expect(lines()[0]).toMatchObject({ msg: 'upstream said: Bearer [redacted] is invalid' });
  });

  it('should scrub a bearer token from a logged error', () => {
    const { logger, text } = memoryLogger();
    logger.error(new Error(`request failed with Authorization: Bearer ${TOKEN}`));
    expect(text()).toContain('request failed');
    expect(text()).not.toContain(TOKEN);
  });

  it('should scrub a bearer token from an error logged under err', () => {
    const { logger, text } = memoryLogger();
    logger.error({ err: new Error(`request failed with Authorization: Bearer ${TOKEN}`) }, 'Shutdown failed');
    expect(text()).toContain('request failed');
    expect(text()).not.toContain(TOKEN);
  });
});
