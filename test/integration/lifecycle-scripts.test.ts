// The packaged shell scripts: replayed-add (ExecCondition= of eni-init@.service) and eni-init-refresh-generator.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPLAY_CASES } from '../unit/lifecycle/replay-cases.ts';
import { parseRefreshInterval } from '../../src/lifecycle/refresh.ts';

const PACKAGING = fileURLToPath(new URL('../../packaging', import.meta.url));
const REPLAYED_ADD = join(PACKAGING, 'lib/replayed-add');
const GENERATOR = join(PACKAGING, 'systemd/eni-init-refresh-generator');

const temps: string[] = [];
after(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'eni-lifecycle-'));
  temps.push(dir);
  return dir;
}

test('replayed-add makes the decision of isReplayedAdd() on every case (exit 1 = skip, 0 = run, never 255)', () => {
  for (const item of REPLAY_CASES) {
    const root = temp();
    mkdirSync(join(root, 'run/eni-init/configured'), { recursive: true });
    if (item.record !== null) writeFileSync(join(root, 'run/eni-init/configured/eth1'), item.record);
    if (item.ifindex !== undefined) {
      mkdirSync(join(root, 'sys/class/net/eth1'), { recursive: true });
      writeFileSync(join(root, 'sys/class/net/eth1/ifindex'), `${item.ifindex}\n`);
    }
    const result = spawnSync('/bin/sh', [REPLAYED_ADD, 'eth1', root], { encoding: 'utf8' });
    assert.equal(result.status, item.replay ? 1 : 0, `${item.name}: ${result.stdout}${result.stderr}`);
    assert.equal(result.stderr, '', item.name);
    if (item.replay) assert.match(result.stdout, /eth1 \(ifindex \d+\) was configured by an earlier run of this boot/);
  }
  // Names that are no file name run (the check never reads outside its directories).
  for (const name of ['', '..', 'a/b']) assert.equal(spawnSync('/bin/sh', [REPLAYED_ADD, name, temp()]).status, 0, JSON.stringify(name));
});

/** Runs the generator on a config text; returns what it wrote into the normal directory, and its stderr. */
function generate(conf: string | null): { entries: string[]; stderr: string; status: number | null; dir: string } {
  const dir = temp();
  const normal = join(dir, 'normal');
  mkdirSync(normal);
  const confPath = join(dir, 'eni-init.conf');
  if (conf !== null) writeFileSync(confPath, conf);
  const result = spawnSync('/bin/sh', [GENERATOR, normal, join(dir, 'early'), join(dir, 'late')], { encoding: 'utf8', env: { ...process.env, ENI_INIT_CONF: confPath } });
  const entries: string[] = [];
  const walk = (at: string, prefix: string) => {
    for (const name of readdirSync(at, { withFileTypes: true })) {
      if (name.isDirectory()) walk(join(at, name.name), `${prefix}${name.name}/`);
      else entries.push(`${prefix}${name.name}`);
    }
  };
  walk(normal, '');
  return { entries: entries.sort(), stderr: result.stderr, status: result.status, dir: normal };
}

test('generator: no file, no key or an empty value leave the packaged timer', () => {
  for (const conf of [null, '', '# refresh-interval = 60\n', 'deadline = 20\n', 'refresh-interval =\n']) {
    const out = generate(conf);
    assert.equal(out.status, 0);
    assert.deepEqual(out.entries, [], JSON.stringify(conf));
    assert.equal(out.stderr, '');
  }
});

test('generator: off masks the timer; seconds become a drop-in with a tenth of the period as random delay (at most 30 s)', () => {
  for (const off of ['refresh-interval = off\n', '  refresh-interval=OFF  \n', 'refresh-interval = "no"\n', 'refresh-interval = 0\n']) {
    const out = generate(off);
    assert.deepEqual(out.entries, ['eni-init-refresh.timer'], off);
    assert.equal(readlinkSync(join(out.dir, 'eni-init-refresh.timer')), '/dev/null');
  }
  const short = generate('refresh-interval = 300\nrefresh-interval = 20\n');
  assert.deepEqual(short.entries, ['eni-init-refresh.timer.d/50-refresh-interval.conf']);
  const dropIn = readFileSync(join(short.dir, 'eni-init-refresh.timer.d/50-refresh-interval.conf'), 'utf8');
  assert.match(dropIn, /^\[Timer\]\nOnBootSec=\nOnBootSec=20s\nOnUnitInactiveSec=20s\nRandomizedDelaySec=2s\n$/m);
  const long = generate('refresh-interval = 3600\n');
  assert.match(readFileSync(join(long.dir, 'eni-init-refresh.timer.d/50-refresh-interval.conf'), 'utf8'), /^RandomizedDelaySec=30s$/m);
});

test('generator: a value eni-init rejects is refused with a warning, never a failed boot; the two agree', () => {
  for (const value of ['9', '86401', '5min', '-5', '3.5', 'yes', '1234567', '1e3']) {
    const out = generate(`refresh-interval = ${value}\n`);
    assert.equal(out.status, 0, value);
    assert.deepEqual(out.entries, [], value);
    assert.match(out.stderr, /keeping the packaged period/, value);
    assert.throws(() => parseRefreshInterval(value), /refresh-interval/, value);
  }
  for (const value of ['10', '300', '86400', 'off', '0']) {
    assert.notEqual(generate(`refresh-interval = ${value}\n`).entries.length, 0, value);
    assert.doesNotThrow(() => parseRefreshInterval(value), value);
  }
});
