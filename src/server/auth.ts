import { parseBearer, type Credential, type Credentials } from '../credential.js';

/** The credential an operation acts with, or why there is none that can be used. */
export interface Auth {
  readonly credential: Credential | undefined;
  readonly problem: string | undefined;
  /** Whether the credential is the configured default key, not one the client sent. */
  readonly isDefault?: boolean | undefined;
}

/**
 * Resolves an Authorization value: a client's bearer token wins; without one, the configured
 * default key (if any) is used. A value that is present but not `Bearer <token>`, or a token over
 * `maxTokenBytes`, is a problem, never silently replaced by the default key.
 */
export function createAuthResolver(credentials: Credentials, defaultToken: string | undefined, maxTokenBytes = 4096) {
  const fallback: Auth = { credential: defaultToken ? credentials.fromToken(defaultToken) : undefined, problem: undefined, isDefault: defaultToken !== undefined };
  const malformed: Auth = { credential: undefined, problem: 'Malformed Authorization: expected "Bearer <token>".' };
  const tooLong: Auth = { credential: undefined, problem: `The bearer token is longer than ${maxTokenBytes} bytes.` };
  return function resolveAuth(authorization: unknown): Auth {
    // Refused before parsing, hashing or memoizing: a huge token costs nothing to refuse.
    if (typeof authorization === 'string' && authorization.length > maxTokenBytes + 64) return tooLong;
    const token = parseBearer(authorization);
    if (token === null) return malformed;
    if (token === undefined) return fallback;
    // RFC 6750 tokens are ASCII: characters are bytes.
    if (token.length > maxTokenBytes) return tooLong;
    return { credential: credentials.fromToken(token), problem: undefined };
  };
}

export type AuthResolver = ReturnType<typeof createAuthResolver>;

/** `connectionParams.authorization`, matched case-insensitively (GraphiQL sends its headers as is). */
export function authorizationParam(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  if ('authorization' in params) return params.authorization;
  for (const key of Object.keys(params)) if (key.toLowerCase() === 'authorization') return params[key];
  return undefined;
}
