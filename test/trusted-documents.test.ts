import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTrustedDocuments, readManifest } from '../src/persisted/trusted-documents.js';

const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('trusted documents manifests', () => {
  it('should find a document by its key, and by the bare digest of a sha256: key', () => {
    const documents = createTrustedDocuments([{ 'sha256:abc': '{ a }', other: '{ b }' }, { 'sha256:def': '{ c }' }]);
    expect(documents.get('sha256:abc')).toBe('{ a }');
    expect(documents.get('abc')).toBe('{ a }');
    expect(documents.get('other')).toBe('{ b }');
    expect(documents.get('def')).toBe('{ c }');
    expect(documents.get('nope')).toBeUndefined();
    expect(documents.size).toBe(3);
  });

  it('should refuse, naming the file, a manifest that is missing, not JSON, or not texts by id', () => {
    expect(() => readManifest(join(dir, 'missing.json'))).toThrow(/missing\.json could not be read/);
    expect(() => readManifest(file('broken.json', '{'))).toThrow(/broken\.json could not be read/);
    expect(() => readManifest(file('array.json', '["{ a }"]'))).toThrow(/array\.json must be a JSON object/);
    expect(() => readManifest(file('numbers.json', '{"a": 1}'))).toThrow(/numbers\.json must be a JSON object/);
    expect(readManifest(file('good.json', '{"sha256:x": "{ x }"}'))).toEqual({ 'sha256:x': '{ x }' });
  });
});
