import { codedError } from './errors.js';
import { builder } from './builder.js';
import { ErrorCode } from '../errors.js';

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ISO 8601 instants in UTC, e.g. `2024-01-15T16:00:00.000Z`. */
export const DateTime = builder.scalarType('DateTime', {
  description: 'An instant in time, as an ISO 8601 string in UTC, e.g. `2024-01-15T16:00:10.000Z`.',
  serialize: (value) => {
    // Strings come from normalize.ts, already ISO 8601 in UTC.
    if (typeof value === 'string' && isoInstant.test(value)) return value;
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) throw new TypeError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: (value) => {
    const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) throw codedError(ErrorCode.BadUserInput, 'DateTime must be an ISO 8601 string.');
    return date;
  },
});
