import type { Tracing } from '../tracing.js';
import type { FetchTask } from './retry.js';

const route = '/v1/video/generations/{task_id}';

/**
 * A span per upstream attempt, child of the active span (the operation or the poll tick that
 * caused it; for a request shared by several operations, the first). The route is the template,
 * never the raw id; the token is never recorded.
 */
export function traceFetchTask(tracing: Tracing, fetchTask: FetchTask): FetchTask {
  return (token, id, attempt) =>
    tracing.span(
      `GET ${route}`,
      { kind: 'client', attributes: { 'http.request.method': 'GET', 'url.template': route, 'gateway.upstream.attempt': attempt ?? 1 } },
      async (span) => {
        const result = await fetchTask(token, id, attempt);
        if (result.ok) span.setAttributes({ 'http.response.status_code': 200 });
        else {
          span.setAttributes({ 'http.response.status_code': result.status, 'gateway.upstream.transport_error': result.transport });
          span.fail([result.failure.code]);
        }
        return result;
      },
    );
}
