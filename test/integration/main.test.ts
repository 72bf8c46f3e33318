// The entry point, as the built executable: --version, --help and usage errors answered before any run, with their exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../src/errors.ts';
import { BINARY } from './helpers.ts';

/** The build writes package.json's version into the executable (src/version.ts holds a placeholder). */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const skip = existsSync(BINARY) ? false : 'dist/eni-init is missing: run `npm run build` first';

/** Runs the executable with a clean environment (no ENI_INIT_* of the caller, no journal stream). */
function eniInit(args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(BINARY, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env } });
  assert.equal(result.error, undefined);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('--version and -V print the version, exit 0, nothing on stderr', { skip }, () => {
  for (const flag of ['--version', '-V']) {
    const result = eniInit([flag]);
    assert.deepEqual(result, { code: EXIT.OK, stdout: `eni-init ${VERSION}\n`, stderr: '' }, flag);
  }
});

test('--help and -h print the help on stdout, exit 0', { skip }, () => {
  for (const flag of ['--help', '-h']) {
    const result = eniInit(['plan', flag]);
    assert.equal(result.code, EXIT.OK, flag);
    assert.match(result.stdout, /^eni-init \S+: configure secondary ENIs/);
    assert.match(result.stdout, /Usage: eni-init \[command\] \[options\]/);
    assert.equal(result.stderr, '');
  }
});

test('a usage error: exit 2, one message naming the culprit and the way to help, nothing on stdout', { skip }, () => {
  const result = eniInit(['--pers', 'none']);
  assert.equal(result.code, EXIT.USAGE);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr, "eni-init: unknown option --pers; did you mean --persist?\nTry 'eni-init --help'.\n");
  const env = eniInit([], { ENI_INIT_DEADLINE: 'soon' });
  assert.equal(env.code, EXIT.USAGE);
  assert.match(env.stderr, /^eni-init: ENI_INIT_DEADLINE/);
});

test('a config file error names file:line; under systemd the line carries its syslog priority', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-main-'));
  try {
    const config = join(dir, 'eni-init.conf');
    writeFileSync(config, 'deadline = 5\ncolour = red\n');
    const result = eniInit(['plan', '--config', config]);
    assert.equal(result.code, EXIT.USAGE);
    assert.match(result.stderr, new RegExp(`^eni-init: ${config}:2: unknown key "colour"`));
    // JOURNAL_STREAM naming stderr's own device:inode is how systemd says stderr is the journal (src/log.ts).
    const err = join(dir, 'err');
    const journal = spawnSync('sh', ['-c', 'exec 2>"$1"; JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$0" --bogus', BINARY, err], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(journal.status, EXIT.USAGE);
    assert.equal(readFileSync(err, 'utf8'), "<3>eni-init: unknown option --bogus\n<3>Try 'eni-init --help'.\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
