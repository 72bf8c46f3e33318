// What every backend's activation shares: commands within the deadline, failures as problems, the rollback of refused files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Steps, messageOf, rollBack } from '../../../src/persist/activation.ts';
import type { ActivationDeps } from '../../../src/persist/activation.ts';
import { NO_FACTS } from '../../../src/persist/facts.ts';
import type { FileChange } from '../../../src/persist/types.ts';
import { memoryIo, ok } from './activation-fixtures.ts';

function steps(timeLeft: number, fail = false, io = memoryIo(new Map())) {
  const ran: { argv: string; timeout: number }[] = [];
  const probes: number[] = [];
  const deps: ActivationDeps = {
    run: async (argv, timeout) => {
      ran.push({ argv: argv.join(' '), timeout });
      return fail ? { ok: false, code: 4, stdout: '', stderr: 'warning\nError: unknown connection\n' } : ok;
    },
    io,
    probe: async (timeout) => {
      probes.push(timeout);
      return NO_FACTS;
    },
  };
  return { steps: new Steps(deps, () => timeLeft), ran, probes };
}

test('a command runs with the time left, 20 s at most; a failure is a problem naming the command, its interface and last stderr line', async () => {
  const long = steps(60_000);
  assert.equal(await long.steps.run(['nmcli', 'connection', 'reload']), true);
  assert.deepEqual(long.ran, [{ argv: 'nmcli connection reload', timeout: 20_000 }]);
  assert.equal(long.steps.ran, true);
  assert.deepEqual(long.steps.problems, []);
  const failing = steps(3_000, true);
  assert.equal(await failing.steps.run(['nmcli', 'connection', 'up', 'id', 'x'], 'eth1'), false);
  assert.equal(failing.ran[0]?.timeout, 3_000);
  assert.deepEqual(failing.steps.problems, [{ code: 'persist-activate', message: 'nmcli connection up id x: Error: unknown connection', interface: 'eth1' }]);
});

test('under half a second left, nothing starts: reported, not run', async () => {
  const late = steps(499);
  assert.equal(await late.steps.run(['networkctl', 'reload']), false);
  assert.deepEqual(late.ran, []);
  assert.equal(late.steps.ran, false);
  assert.deepEqual(late.steps.problems, [{ code: 'persist-activate', message: 'networkctl reload: not run, the deadline is reached' }]);
});

test('a probe gets the time left, between 0.1 and 5 s', async () => {
  for (const [left, expected] of [[60_000, 5_000], [1_234, 1_234], [0, 100]] as const) {
    const { steps: s, probes } = steps(left);
    await s.probe();
    assert.deepEqual(probes, [expected]);
  }
});

test('rollback puts back what a refused file replaced and removes a new one; a failure to do so is reported too', async () => {
  const disk = new Map([['/etc/a', 'new a'], ['/etc/b', 'new b']]);
  const change = (path: string, previous: string | null): FileChange => ({ backend: 'netplan', path, action: previous === null ? 'created' : 'replaced', content: `new ${path.slice(-1)}`, previous, mode: 0o600 });
  const { steps: s } = steps(10_000, false, memoryIo(disk));
  await rollBack([change('/etc/a', 'old a'), change('/etc/b', null)], memoryIo(disk), s);
  assert.deepEqual([...disk], [['/etc/a', 'old a']]);
  assert.deepEqual(s.problems, [{ code: 'persist-activate', message: 'the manager refused the new files; rolled back: /etc/a, /etc/b' }]);

  const broken = { ...memoryIo(new Map()), remove: async () => { throw new Error('EROFS'); } };
  const { steps: t } = steps(10_000);
  await rollBack([change('/etc/b', null)], broken, t);
  assert.deepEqual(t.problems.map((problem) => [problem.code, problem.message]), [
    ['persist-write', 'cannot roll back /etc/b: EROFS'],
    ['persist-activate', 'the manager refused the new files; rolled back: /etc/b'],
  ]);
  assert.equal(messageOf('text'), 'text');
});
