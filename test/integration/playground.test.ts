// The playground (`npm run sim -- shell --layout FILE -- COMMAND`): the example layout end to end, and a bad layout refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cannotRun } from './helpers.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = join(REPO, 'test/sim/layouts/example.json');

function sim(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'test/sim/sim-cli.ts'), ...args], { cwd: REPO, encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('example layout: plan reports the down interface, apply exits 0 inside, status lists the 3 ENIs in sync; all removed after', (t) => {
  const reason = cannotRun();
  if (reason) return void t.skip(reason);
  const script = [
    'set -e',
    'test "$(command -v eni-init)" != ""',
    'echo "prefix $ENI_SIM_PREFIX"',
    'echo "== plan"; eni-init plan',
    'echo "== apply"; eni-init apply; echo "apply exit $?"',
    'echo "== status"; eni-init status --json',
  ].join('\n');
  const result = sim(['shell', '--layout', EXAMPLE, '--', 'sh', '-c', script]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const [plan = '', rest = ''] = result.stdout.split('== apply');
  assert.match(plan, /ip -4 link set dev eth2 up/, 'the plan brings the down interface up');
  assert.match(rest, /apply exit 0/);
  const status = JSON.parse(rest.split('== status')[1] ?? '') as { outcome: string; enis: { mac: string }[] };
  assert.equal(status.outcome, 'in-sync', JSON.stringify(status));
  assert.deepEqual(status.enis.map((eni) => eni.mac).sort(), ['00:16:3e:5e:00:01', '00:16:3e:5e:00:02', '00:16:3e:5e:00:03']);
  const prefix = /^prefix (\w+)$/m.exec(result.stdout)?.[1];
  assert.ok(prefix !== undefined, result.stdout);
  assert.deepEqual(['inst', 'vpc', 'cli'].filter((kind) => existsSync(`/run/netns/${prefix}-${kind}`)), [], 'no namespace left behind');
});

test('a bad layout is refused before anything is built, each problem naming the file and the field', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'eni-playground-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'layout.json');
  writeFileSync(file, JSON.stringify({ enis: [{ vswitch: '10.0.0.0/24', ips: ['10.0.0.20'] }, { vswitch: '10.0.0.0/24', ips: ['10.0.0.300'], stat: 'down' }] }));
  const result = sim(['shell', '--layout', file, '--', 'true']);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}: enis\\[1\\]\\.ips\\[0\\]: "10\\.0\\.0\\.300" is not an IPv4 address`));
  assert.match(result.stderr, /enis\[1\]\.stat: unknown key/);
});
