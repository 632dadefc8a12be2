import type { Context } from '../context.js';
import type { Credential } from '../credential.js';
import { ErrorCode } from '../errors.js';
import { codedError } from './errors.js';

/** The operation's credential, or UNAUTHENTICATED before any upstream call. */
export function requireCredential(ctx: Context): Credential {
  if (ctx.credentialProblem) throw codedError(ErrorCode.Unauthenticated, ctx.credentialProblem);
  if (!ctx.credential) {
    throw codedError(ErrorCode.Unauthenticated, 'No credential: send "Authorization: Bearer <token>" (over websockets, connectionParams.authorization).');
  }
  return ctx.credential;
}
