import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The Redis client, the AWS SDK and OpenTelemetry are loaded only when their feature is configured,
// so an idle gateway stays small: in src/, they are reached only through a dynamic `import()`.
// This reads the import graph of the sources (type-only imports are erased by the compiler).

const src = fileURLToPath(new URL('../src', import.meta.url));
const lazy = /^(ioredis|@aws-sdk\/|@opentelemetry\/)/;
const files = readdirSync(src, { recursive: true, withFileTypes: true })
  .filter((f) => f.isFile() && f.name.endsWith('.ts'))
  .map((f) => join(f.parentPath, f.name));

/** Specifiers a file imports statically for their values (not `import type`, not `import()`). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms), ...text.matchAll(/^export\s+(?!type\s)[^;]*?from\s+'([^']+)';/gms)].map((m) => m[1]!);
}

describe('loading only what is used', () => {
  it('should import ioredis, the AWS SDK and OpenTelemetry statically only from files that nothing imports statically', () => {
    const heavy = files.filter((file) => valueImports(file).some((s) => lazy.test(s)));
    for (const file of heavy) {
      const name = basename(file).replace(/\.ts$/, '.js');
      const importers = files.filter((other) => valueImports(other).some((s) => s.startsWith('.') && s.endsWith(`/${name}`)));
      expect(importers, `${file} is imported statically`).toEqual([]);
    }
  });

  it('should find the dynamic imports it relies on', () => {
    const text = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(text).toContain("await import('./tracing-otel.js')");
    expect(text).toContain("await import('ioredis')");
    expect(text).toMatch(/import\('@aws-sdk\/client-s3'\)/);
  });
});
