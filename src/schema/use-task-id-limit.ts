import { Kind, visit, type DocumentNode, type ValueNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';
import { codedError } from './errors.js';

/** What a document asks for, known before its variables: literal ids and the variables holding ids. */
interface IdUse {
  readonly literals: readonly string[];
  readonly variables: readonly string[];
  /** Ids in the default values of variables, used when the request leaves them out. */
  readonly defaults: ReadonlyMap<string, readonly string[]>;
}

const taskFields: Record<string, string> = { videoTask: 'id', videoTasks: 'ids', videoTaskUpdated: 'id', videoTasksUpdated: 'ids' };

/**
 * Caps the distinct task ids one operation asks for, across every `videoTask` alias and
 * `videoTasks` list together, before execution and so before any upstream call.
 * The document is analysed once (cached per parsed document); only variables are read per request.
 */
export function useTaskIdLimit(max: number): Plugin {
  const analysed = new WeakMap<DocumentNode, IdUse>();
  const check = (document: DocumentNode, variables: Record<string, unknown> | null | undefined) => {
    let use = analysed.get(document);
    if (!use) analysed.set(document, (use = analyse(document)));
    if (use.literals.length + use.variables.length === 0) return undefined;
    const ids = new Set(use.literals);
    for (const name of use.variables) {
      const value = variables?.[name] ?? use.defaults.get(name);
      for (const id of Array.isArray(value) ? value : [value]) if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
    }
    return ids.size > max ? codedError(ErrorCode.BadUserInput, `This operation asks for ${ids.size} distinct task ids: at most ${max} are allowed.`) : undefined;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

function analyse(document: DocumentNode): IdUse {
  const literals: string[] = [];
  const variables: string[] = [];
  const defaults = new Map<string, string[]>();
  const collect = (value: ValueNode, into: string[]): void => {
    if (value.kind === Kind.STRING || value.kind === Kind.INT) into.push(value.value);
    else if (value.kind === Kind.VARIABLE) variables.push(value.name.value);
    else if (value.kind === Kind.LIST) for (const item of value.values) collect(item, into);
  };
  visit(document, {
    VariableDefinition(node) {
      if (node.defaultValue) collect(node.defaultValue, defaults.set(node.variable.name.value, []).get(node.variable.name.value)!);
    },
    Field(node) {
      const argument = taskFields[node.name.value];
      const arg = argument && node.arguments?.find((a) => a.name.value === argument);
      if (arg) collect(arg.value, literals);
    },
  });
  return { literals, variables, defaults };
}
