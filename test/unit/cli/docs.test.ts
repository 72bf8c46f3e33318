// The README options and exit-code tables, the man page (OPTIONS, ENVIRONMENT, EXIT STATUS) and --help list
// what the tables in src/cli/ list: the same options, environment variables, allowed values and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { exitDocs } from '../../../src/cli/exit-codes.ts';
import { helpText } from '../../../src/cli/help.ts';
import { META_FLAGS, OPTION_SPECS, envName } from '../../../src/cli/spec.ts';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const MAN = readFileSync(new URL('../../../packaging/eni-init.8', import.meta.url), 'utf8');
const HELP = helpText('1.2.3');
const TABLE_FLAGS = OPTION_SPECS.map((spec) => spec.flag).sort();
const TABLE_CODES = exitDocs().map((doc) => doc.code);

/** The lines of a markdown section (from its heading to the next heading). */
function readmeSection(heading: string): string[] {
  const lines = README.split('\n');
  const start = lines.indexOf(heading);
  assert.notEqual(start, -1, `README has no "${heading}"`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('#'));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** The lines of a man page section (.SH NAME to the next .SH). */
function manSection(name: string): string[] {
  const lines = MAN.split('\n');
  const start = lines.indexOf(`.SH ${name}`);
  assert.notEqual(start, -1, `the man page has no .SH ${name}`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('.SH '));
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

const unescape = (text: string) => text.replace(/\\-/g, '-');

/** README options rows: flag -> the whole row. */
function readmeOptions(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of readmeSection('### Options')) {
    const match = /^\| `--([a-z-]+)[^`]*` \|/.exec(line);
    if (match) rows.set(match[1] as string, line);
  }
  return rows;
}

/** Man page OPTIONS entries: flag -> the text up to the next .TP. */
function manOptions(): Map<string, string> {
  const entries = new Map<string, string>();
  const section = `\n${manSection('OPTIONS').join('\n')}`.split('\n.TP\n').slice(1);
  for (const entry of section) {
    const match = /^\.B[IR]? (?:\\-[a-zA-Z] ", " )?\\-\\-([a-z\\-]+)/.exec(entry);
    if (match) entries.set(unescape(match[1] as string), unescape(entry));
  }
  return entries;
}

test('README, man page and --help list the options of the table, and nothing else', () => {
  const meta = META_FLAGS.map((spec) => spec.flag);
  assert.deepEqual([...readmeOptions().keys()].sort(), TABLE_FLAGS, 'README options table');
  assert.deepEqual([...manOptions().keys()].filter((flag) => !meta.includes(flag)).sort(), TABLE_FLAGS, 'man page OPTIONS');
  for (const flag of meta) assert.ok(manOptions().has(flag), `man page OPTIONS lacks --${flag}`);
  const helpFlags = [...HELP.matchAll(/^ {2}(?:-[a-zA-Z], )?--([a-z-]+)/gm)].map((match) => match[1] as string);
  assert.deepEqual(helpFlags.filter((flag) => !meta.includes(flag)).sort(), TABLE_FLAGS, '--help');
});

test('each option has its environment variable and its allowed values wherever it is documented', () => {
  const readme = readmeOptions();
  const man = manOptions();
  const environment = unescape(manSection('ENVIRONMENT').join('\n'));
  for (const spec of OPTION_SPECS) {
    const row = readme.get(spec.flag) as string;
    assert.ok(row.includes(`\`${envName(spec.flag)}\``), `README row of --${spec.flag} lacks ${envName(spec.flag)}`);
    assert.ok(environment.includes(`.BR ${envName(spec.flag)}`), `man ENVIRONMENT lacks ${envName(spec.flag)}`);
    assert.ok(HELP.includes(`env ${envName(spec.flag)}`), `--help lacks ${envName(spec.flag)}`);
    for (const choice of spec.choices ?? []) {
      assert.ok(row.includes(`\`${choice}\``), `README row of --${spec.flag} lacks its value ${choice}`);
      assert.match(man.get(spec.flag) as string, new RegExp(`^\\.BR? ${choice}\\b`, 'm'), `man entry of --${spec.flag} lacks its value ${choice}`);
      assert.ok(HELP.includes(`one of: ${(spec.choices ?? []).join(', ')}`), `--help lacks the values of --${spec.flag}`);
    }
  }
});

test('README, man page and --help list the exit codes of the table', () => {
  const readmeCodes = readmeSection('### Exit codes').flatMap((line) => /^\| (\d+) \|/.exec(line)?.[1] ?? []).map(Number);
  assert.deepEqual(readmeCodes, TABLE_CODES, 'README exit codes');
  const manCodes = `\n${manSection('EXIT STATUS').join('\n')}`.split('\n.TP\n').slice(1).map((entry) => Number(/^\.B (\d+)$/m.exec(entry)?.[1]));
  assert.deepEqual(manCodes, TABLE_CODES, 'man page EXIT STATUS');
  const helpCodes = HELP.slice(HELP.indexOf('Exit codes:')).split('\n').flatMap((line) => /^ +(\d+) {2}/.exec(line)?.[1] ?? []).map(Number);
  assert.deepEqual(helpCodes, TABLE_CODES, '--help exit codes');
});
