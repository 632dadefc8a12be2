import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSettingsTable } from '../scripts/print-settings.js';
import { camelCase, loadConfig, settingsTable } from '../src/config.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('the settings table', () => {
  it('should appear in the README exactly as the zod schema prints it (npm run settings:print)', () => {
    expect(readme).toContain(renderSettingsTable());
  });

  it('should list, for every setting with a default, the value loadConfig really applies', () => {
    const config = loadConfig({}) as unknown as Record<string, unknown>;
    const rows = settingsTable().filter((row) => row.defaultValue !== '');
    expect(rows.length).toBeGreaterThan(30);
    for (const { name, defaultValue } of rows) expect(String(config[camelCase(name)]), name).toBe(defaultValue);
  });
});
