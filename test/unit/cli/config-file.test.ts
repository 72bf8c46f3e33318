// The config file: key = value lines, comments, quoted values, and messages that say file:line and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfigFile } from '../../../src/cli/config-file.ts';
import { UsageError } from '../../../src/errors.ts';

const PATH = '/mnt/img/etc/eni-init/eni-init.conf';

function message(text: string): string {
  try {
    parseConfigFile(text, PATH);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  return assert.fail(`no error for ${JSON.stringify(text)}`);
}

const values = (text: string) => Object.fromEntries([...parseConfigFile(text, PATH)].map(([key, entry]) => [key, entry.value]));

test('keys are the long flag names; each value keeps the line it came from', () => {
  const parsed = parseConfigFile('# c\n\r\ndeadline = 9\r\n  table-base=3000  \n', PATH);
  assert.deepEqual([...parsed.keys()], ['deadline', 'table-base']);
  assert.deepEqual(parsed.get('deadline'), { value: '9', where: `${PATH}:3` });
  assert.deepEqual(parsed.get('table-base'), { value: '3000', where: `${PATH}:4` });
});

test('inline comments start at a # after a space or tab; a quoted value and a # inside a word stay', () => {
  assert.deepEqual(values(['exclude = eth3, eth4   # test ENIs', 'deadline = 9\t# seconds', 'report-file = "/run/a #1.json"  # quoted', 'only-interface = # none', 'table-base = 3000 #'].join('\n')), {
    exclude: 'eth3, eth4',
    deadline: '9',
    'report-file': '/run/a #1.json',
    'only-interface': '',
    'table-base': '3000',
  });
  assert.deepEqual(values('report-file = /run/a#b.json\n'), { 'report-file': '/run/a#b.json' });
  assert.deepEqual(values('report-file = ""\n'), { 'report-file': '' });
});

test('config errors carry file:line and what to do', () => {
  assert.equal(message('# c\n\ndedline = 5\n'), `${PATH}:3: unknown key "dedline"; did you mean deadline?`);
  assert.equal(message('root = /\n'), `${PATH}:1: root cannot be set in the config file; use --root or ENI_INIT_ROOT`);
  assert.equal(message('config = /x\n'), `${PATH}:1: config cannot be set in the config file; use --config or ENI_INIT_CONFIG`);
  assert.match(message('nonsense\n'), /^\/mnt\/img\/etc\/eni-init\/eni-init\.conf:1: expected "key = value"/);
  assert.match(message('colour = red\n'), /:1: unknown key "colour"; the keys are the long option names without "--" \(see eni-init --help\)$/);
  assert.match(message('deadline = 5\ndeadline = 6\n'), /:2: deadline is set a second time \(first at \/mnt\/img\/etc\/eni-init\/eni-init\.conf:1\); keep one line$/);
  assert.match(message('report-file = "/a #b" x\n'), /:1: unexpected "x" after the quoted value/);
  assert.match(message('report-file = "/a\n'), /:1: the value "\/a has no closing double quote/);
});
