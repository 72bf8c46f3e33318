// Unit tests of src/log.ts: levels, fields, and syslog priority prefixes only when stderr is the journal stream.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, stderrIsJournal, stderrText } from '../../src/log.ts';

function capture(priorities: boolean, level: 'error' | 'debug' = 'debug'): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (line) => lines.push(line), { priorities }) };
}

test('plain text (a terminal or a pipe): no priority prefix, fields as key=value', () => {
  const { lines, log } = capture(false);
  log.error('apply failed', { eni: 'eth1', reason: 'no such device' });
  log.info('done');
  assert.deepEqual(lines, ['error: apply failed eni=eth1 reason="no such device"\n', 'info: done\n']);
});

test('under the journal: sd-daemon priorities <3> error, <4> warning, <6> info, <7> debug', () => {
  const { lines, log } = capture(true);
  log.error('e');
  log.warn('w');
  log.info('i');
  log.debug('d');
  assert.deepEqual(lines, ['<3>error: e\n', '<4>warn: w\n', '<6>info: i\n', '<7>debug: d\n']);
});

test('under the journal: every line of a multi-line message carries the priority', () => {
  const { lines, log } = capture(true);
  log.warn('first\nsecond');
  assert.deepEqual(lines, ['<4>warn: first\n<4>second\n']);
});

test('levels below the threshold are dropped, with or without priorities', () => {
  const { lines, log } = capture(true, 'error');
  log.warn('w');
  log.debug('d');
  log.error('e');
  assert.deepEqual(lines, ['<3>error: e\n']);
});

test('stderrIsJournal: JOURNAL_STREAM must match stderr device:inode', () => {
  const stat = () => ({ dev: 64769, ino: 123456n });
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: '64769:123456' }, stat), true);
  // Inherited by a child whose stderr was redirected (a pipe, a file): another inode.
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: '64769:999' }, stat), false);
  assert.equal(stderrIsJournal({}, stat), false);
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: 'garbage' }, stat), false);
  assert.equal(stderrIsJournal({ JOURNAL_STREAM: '64769:123456' }, () => undefined), false);
});

test('stderrText: the messages written outside the logger (usage, internal error) get the same treatment', () => {
  assert.equal(stderrText('error', "eni-init: bad flag\nTry 'eni-init --help'.", true), "<3>eni-init: bad flag\n<3>Try 'eni-init --help'.\n");
  assert.equal(stderrText('error', 'eni-init: bad flag', false), 'eni-init: bad flag\n');
});
