// argv -> flags and positionals: the forms of a flag, list options, and messages that name the flag and what to do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgv } from '../../../src/cli/argv.ts';
import { UsageError } from '../../../src/errors.ts';

function usageMessage(argv: string[]): string {
  try {
    parseArgv(argv);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  return assert.fail(`no error for ${argv.join(' ')}`);
}

test('--flag value, --flag=value, switches, short meta flags, list options and --', () => {
  const parsed = parseArgv(['plan', '--deadline', '5', '--persist=none', '--json', '-V', '--exclude', 'eth1', '--exclude=eth2', '-', '--', '--json', 'x']);
  assert.deepEqual(parsed.positionals, ['plan', '-', '--json', 'x']);
  assert.deepEqual(Object.fromEntries(parsed.flags), { deadline: '5', persist: 'none', json: true, version: true, exclude: ['eth1', 'eth2'] });
  assert.equal(parseArgv(['--report-file=']).flags.get('report-file'), '', 'an empty value after = is a value');
  assert.equal(parseArgv(['--only-interface', '-']).flags.get('only-interface'), '-', '"-" alone is a value');
});

test('a mistyped flag is named, with the flag it probably meant', () => {
  assert.equal(usageMessage(['--pers', 'none']), 'unknown option --pers; did you mean --persist?');
  assert.equal(usageMessage(['--dedline', '5']), 'unknown option --dedline; did you mean --deadline?');
  assert.equal(usageMessage(['--log_level=debug']), 'unknown option --log_level; did you mean --log-level?');
  assert.equal(usageMessage(['--frobnicate']), 'unknown option --frobnicate');
  assert.match(usageMessage(['-x']), /^unknown option -x \(short options: -h, -V\)/);
});

test('a missing or surplus value says how to write the flag', () => {
  assert.equal(usageMessage(['--deadline']), '--deadline needs a value: --deadline SECONDS (or --deadline=VALUE)');
  assert.equal(usageMessage(['--deadline', '--json']), '--deadline needs a value: --deadline SECONDS (or --deadline=VALUE)');
  assert.equal(usageMessage(['--json=yes']), '--json takes no value (got "yes"); write --json alone');
});

test('no message carries Node parseArgs wording', () => {
  for (const argv of [['--bogus'], ['--deadline'], ['--json=1'], ['-z'], ['--deadline', '-5']]) {
    const message = usageMessage(argv);
    assert.doesNotMatch(message, /ERR_PARSE_ARGS|To specify an option argument|Unknown option '|ambiguous/, message);
  }
});
