import { fileURLToPath } from 'node:url';
import { useAPQ } from '@graphql-yoga/plugin-apq';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.js';
import type { PersistedQueryStore } from '../persisted/store.js';
import { createTrustedDocuments, readManifest, type TrustedDocuments } from '../persisted/trusted-documents.js';

/**
 * The documents a TRUSTED_DOCUMENTS deployment runs: the manifest's, and the live page's own
 * (codegen writes them beside its typed documents), so that the page keeps working.
 */
export function loadTrustedDocuments(manifestPath: string): TrustedDocuments {
  const livePage = fileURLToPath(new URL('../live-page/gql/persisted-documents.json', import.meta.url));
  return createTrustedDocuments([readManifest(manifestPath), readManifest(livePage)]);
}

/**
 * Apollo's automatic persisted queries over GET and POST (yoga's APQ plugin): a request with only
 * `extensions.persistedQuery.sha256Hash` runs the query registered under that hash, or fails with
 * PERSISTED_QUERY_NOT_FOUND (HTTP 404), upon which Apollo's link sends the query with its hash,
 * which registers it (PERSISTED_QUERY_MISMATCH when the hash is not the query's).
 */
export function useAutomaticPersistedQueries(store: PersistedQueryStore): Plugin {
  return useAPQ({ store: { get: async (hash) => (await store.get(hash)) ?? null, set: (hash, query) => store.set(hash, query) } }) as Plugin;
}

interface PersistedParams {
  query?: string | null | undefined;
  documentId?: unknown;
  extensions?: Record<string, unknown> | null | undefined;
}

/**
 * The listed document a request names, by `documentId` (the codegen client preset's convention) or
 * by `extensions.persistedQuery.sha256Hash` (APQ clients). A query text sent along is never run:
 * the listed document is. Anything unlisted throws PERSISTED_QUERY_NOT_IN_LIST, except, with
 * `allowText` (GraphiQL switched on in this mode, for development), a query sent without an id.
 * Shared by the HTTP transports (the plugin below) and websockets.
 */
export function trustedQuery(params: PersistedParams, documents: TrustedDocuments, allowText = false): string {
  const id = documentIdOf(params);
  if (id === undefined && allowText && typeof params.query === 'string') return params.query;
  const document = id === undefined ? undefined : documents.get(id);
  if (document === undefined) {
    const message = id === undefined ? 'Only trusted documents run here: send the documentId of a listed operation.' : 'This documentId is not in the list of trusted documents.';
    throw createGraphQLError(message, { extensions: { code: ErrorCode.PersistedQueryNotInList, http: { status: 400 } } });
  }
  return document;
}

function documentIdOf(params: PersistedParams): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId;
  const persistedQuery = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  return typeof persistedQuery?.sha256Hash === 'string' ? persistedQuery.sha256Hash : undefined;
}

/** TRUSTED_DOCUMENTS over HTTP (GET, POST, SSE): only listed operations are executed. */
export function useTrustedDocuments(documents: TrustedDocuments, allowText = false): Plugin {
  return {
    onParams({ params, request, setParams }) {
      // Yoga's GET parser keeps the four standard parameters only.
      const documentId = (params as PersistedParams).documentId ?? (request.method === 'GET' ? (new URL(request.url).searchParams.get('documentId') ?? undefined) : undefined);
      const query = trustedQuery({ ...params, documentId }, documents, allowText);
      const { documentId: _, ...standard } = params as GraphQLParams & { documentId?: unknown };
      setParams({ ...standard, query });
    },
  };
}
