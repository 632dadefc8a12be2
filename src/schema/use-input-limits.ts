import { visit, type DocumentNode, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';
import { codedError } from './errors.js';

/** Variables nested deeper than this are refused: nothing in the schema needs more than a few levels. */
export const MAX_INPUT_DEPTH = 64;

/**
 * The shape of an operation's input, checked before execution (and so before graphql-js coerces
 * variables or the subscription hub serializes them): every list, literal or in the variables,
 * holds at most `maxListLength` items (counted before any de-duplication), and variables are
 * nested at most {@link MAX_INPUT_DEPTH} levels. Returns the BAD_USER_INPUT error, if any.
 */
export function createInputCheck(maxListLength: number) {
  const longestLiteral = new WeakMap<DocumentNode, number>();
  return function checkInput(document: DocumentNode, variables: unknown): GraphQLError | undefined {
    let literal = longestLiteral.get(document);
    if (literal === undefined) {
      let longest = 0;
      visit(document, { ListValue: (node) => void (longest = Math.max(longest, node.values.length)) });
      longestLiteral.set(document, (literal = longest));
    }
    if (literal > maxListLength) return tooLong(maxListLength, literal);
    // Iterative: a hostile nesting must not overflow this stack either.
    const stack: [unknown, number][] = [[variables, 0]];
    while (stack.length > 0) {
      const [value, depth] = stack.pop()!;
      if (typeof value !== 'object' || value === null) continue;
      if (depth > MAX_INPUT_DEPTH) return codedError(ErrorCode.BadUserInput, `The variables are nested too deeply: at most ${MAX_INPUT_DEPTH} levels.`);
      if (Array.isArray(value)) {
        if (value.length > maxListLength) return tooLong(maxListLength, value.length);
        for (const item of value) stack.push([item, depth + 1]);
      } else for (const key in value) stack.push([(value as Record<string, unknown>)[key], depth + 1]);
    }
    return undefined;
  };
}

function tooLong(max: number, length: number): GraphQLError {
  return codedError(ErrorCode.BadUserInput, `A list argument has ${length} items: at most ${max} are allowed (MAX_LIST_LENGTH).`);
}

export type InputCheck = ReturnType<typeof createInputCheck>;

/** {@link createInputCheck} on every operation yoga executes or subscribes (HTTP, SSE, websocket queries). */
export function useInputLimits(check: InputCheck): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
