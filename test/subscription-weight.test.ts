import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { subscriptionWeight } from '../src/schema/subscription-weight.js';

const weigh = (query: string, variables?: Record<string, unknown>) => subscriptionWeight(parse(query), undefined, variables);

describe('subscriptionWeight', () => {
  it('should count the distinct ids of videoTasksUpdated, from literals and variables', () => {
    expect(weigh('subscription { videoTasksUpdated(ids: ["a", "b", "a"]) { id } }')).toBe(2);
    expect(weigh('subscription ($ids: [ID!]!) { videoTasksUpdated(ids: $ids) { id } }', { ids: ['a', 'b', 'c'] })).toBe(3);
  });

  it('should find the field inside an inline fragment or a fragment spread at the root', () => {
    expect(weigh('subscription ($ids: [ID!]!) { ... on Subscription { videoTasksUpdated(ids: $ids) { id } } }', { ids: ['a', 'b', 'c'] })).toBe(3);
    expect(weigh('subscription ($ids: [ID!]!) { ...Dash } fragment Dash on Subscription { videoTasksUpdated(ids: $ids) { id } }', { ids: ['a', 'b'] })).toBe(2);
  });

  it('should count any other subscription as one, and survive a fragment that spreads itself', () => {
    expect(weigh('subscription { videoTaskUpdated(id: "a") { id } }')).toBe(1);
    expect(weigh('subscription { ...Loop } fragment Loop on Subscription { ...Loop }')).toBe(1);
  });
});
