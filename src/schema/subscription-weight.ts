import { getOperationAST, Kind, type DocumentNode, type FieldNode, type SelectionSetNode, type ValueNode } from 'graphql';

/**
 * How many subscriptions an operation counts as toward a per-connection limit: the distinct ids of
 * a `videoTasksUpdated` (it watches that many tasks), 1 for any other subscription. Read from the
 * document and variables, before anything runs.
 */
export function subscriptionWeight(document: DocumentNode, operationName: string | null | undefined, variables: Record<string, unknown> | null | undefined): number {
  const operation = getOperationAST(document, operationName);
  // The root field may sit inside inline fragments or fragment spreads: follow them.
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d.selectionSet] as const] : [])));
  const rootField = (set: SelectionSetNode, seen: Set<string>): FieldNode | undefined => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) return selection;
      const inner = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : seen.has(selection.name.value) ? undefined : fragments.get(selection.name.value);
      if (selection.kind === Kind.FRAGMENT_SPREAD) seen.add(selection.name.value);
      const found = inner && rootField(inner, seen);
      if (found) return found;
    }
    return undefined;
  };
  const root = operation && rootField(operation.selectionSet, new Set());
  if (!operation || !root || root.name.value !== 'videoTasksUpdated') return 1;
  const argument = root.arguments?.find((a) => a.name.value === 'ids');
  if (!argument) return 1;
  const defaults = new Map(operation.variableDefinitions?.map((d) => [d.variable.name.value, d.defaultValue]) ?? []);
  const ids = new Set<string>();
  const collect = (value: ValueNode | undefined): void => {
    if (!value) return;
    if (value.kind === Kind.STRING || value.kind === Kind.INT) ids.add(value.value);
    else if (value.kind === Kind.LIST) value.values.forEach(collect);
    else if (value.kind === Kind.VARIABLE) {
      const given = variables?.[value.name.value];
      if (given === undefined) return collect(defaults.get(value.name.value));
      for (const id of Array.isArray(given) ? given : [given]) if (typeof id === 'string' || typeof id === 'number') ids.add(String(id));
    }
  };
  collect(argument.value);
  return Math.max(1, ids.size);
}
