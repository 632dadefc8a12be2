import { readFileSync } from 'node:fs';

/**
 * The operations a TRUSTED_DOCUMENTS deployment runs: document text by id, from manifests in the
 * format the codegen client preset writes with `persistedDocuments: true` (a JSON object whose
 * keys are the ids clients send, `sha256:<hex>` with `hashAlgorithm: 'sha256'`).
 */
export interface TrustedDocuments {
  /** The document listed under this id, also when the id comes without its `sha256:` prefix. */
  get(id: string): string | undefined;
  readonly size: number;
}

export function createTrustedDocuments(manifests: Record<string, string>[]): TrustedDocuments {
  const documents = new Map<string, string>();
  for (const manifest of manifests) {
    for (const [id, text] of Object.entries(manifest)) {
      documents.set(id, text);
      // APQ clients send the bare hex digest as `sha256Hash`.
      if (id.startsWith('sha256:')) documents.set(id.slice('sha256:'.length), text);
    }
  }
  const size = new Set(documents.values()).size;
  return { get: (id) => documents.get(id), size };
}

/** Reads a manifest file; throws an Error naming the file and what is wrong with it. */
export function readManifest(path: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The trusted documents manifest ${path} could not be read: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`The trusted documents manifest ${path} must be a JSON object of document texts by id (codegen's persisted-documents.json).`);
  }
  return parsed as Record<string, string>;
}
