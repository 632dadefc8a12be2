import { builder } from './builder.js';
import './date-time.js';
import './video-task.js';
import './video-task-updated.js';
import './video-tasks-updated.js';
import './create-video-task.js';
import './video-archive.js';

/** The gateway's GraphQL schema, built once. */
export const schema = builder.toSchema();
