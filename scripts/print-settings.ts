// Prints the README's settings table from the zod schema in src/config.ts (the single declaration
// of every variable); test/settings-table.test.ts fails when the README's table differs.
import { settingsTable } from '../src/config.js';

export function renderSettingsTable(): string {
  const rows = settingsTable().map(({ name, defaultValue, description }) => `| \`${name}\` | ${defaultValue === '' ? '' : `\`${defaultValue}\``} | ${description} |`);
  return ['| variable | default | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${renderSettingsTable()}\n`);
