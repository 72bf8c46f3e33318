// apply and remove as a non-root user (the built executable under setpriv): refused before anything, with one
// line that says what is missing, exit 10 (PERMISSION), no stack trace, no summary of changes.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BINARY, cannotRun } from './helpers.ts';

const temps: string[] = [];
after(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

function tempRoot(mode: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'eni-priv-'));
  chmodSync(dir, mode);
  temps.push(dir);
  return dir;
}

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** The built executable as nobody, with `caps` as inheritable and ambient capabilities (none by default). */
function asNobody(args: string[], caps: string[] = []) {
  const capArgs = caps.length === 0 ? ['--inh-caps=-all'] : [`--inh-caps=${caps.map((cap) => `+${cap}`).join(',')}`, `--ambient-caps=${caps.map((cap) => `+${cap}`).join(',')}`];
  // An unreachable metadata URL and a short deadline: should a check fail to refuse, nothing is reached.
  const result = spawnSync('setpriv', [...NOBODY, ...capArgs, BINARY, ...args, '--metadata-url', 'http://127.0.0.1:9', '--deadline', '3'], { encoding: 'utf8', timeout: 30_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function skipReason(): string | null {
  return cannotRun() ?? (existsSync('/usr/bin/setpriv') ? null : 'setpriv (util-linux) missing');
}

function assertOneLine(run: { code: number | null; stdout: string; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(run.code, 10, `${what}: ${run.stdout}${run.stderr}`);
  assert.equal(run.stdout, '', `${what}: no summary on stdout`);
  const lines = run.stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `${what}: one line, got:\n${run.stderr}`);
  assert.match(lines[0] as string, pattern, what);
  assert.doesNotMatch(run.stderr, /internal error|\n\s+at |done \d+ change/, `${what}: no stack trace, no changes`);
}

test('without CAP_NET_ADMIN: one line naming the capability, for a root directory nobody may or may not write', { skip: skipReason() ?? false }, () => {
  for (const mode of [0o755, 0o777]) {
    const root = tempRoot(mode);
    for (const command of ['apply', 'remove']) {
      assertOneLine(asNobody([command, '--root', root]), new RegExp(`^eni-init: ${command} needs root or CAP_NET_ADMIN .*; run it as root`), `${command}, root ${mode.toString(8)}`);
    }
    if (mode === 0o755) assert.deepEqual(readdirSync(root), [], 'nothing written');
  }
});

test('with CAP_NET_ADMIN but no write access to the run directory: one line naming the directory', { skip: skipReason() ?? false }, () => {
  const root = tempRoot(0o755);
  for (const command of ['apply', 'remove']) {
    assertOneLine(asNobody([command, '--root', root], ['net_admin']), new RegExp(`^eni-init: ${command} needs write access to the run directory ${root}/run/eni-init .*uid 65534`), command);
  }
  assert.deepEqual(readdirSync(root), [], 'nothing written');
});

test('--json keeps the report on stdout, exit 10', { skip: skipReason() ?? false }, () => {
  const run = asNobody(['apply', '--json', '--root', tempRoot(0o755)]);
  assert.equal(run.code, 10, run.stderr);
  const report = JSON.parse(run.stdout) as { outcome: string; exitCode: number; changes: unknown[] };
  assert.equal(report.outcome, 'permission');
  assert.deepEqual(report.changes, []);
});
