// Usage errors: every message names what was wrong, where, and what to do; no text of Node's parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommandLine } from '../../../src/cli/options.ts';
import { UsageError } from '../../../src/errors.ts';

function usageMessage(argv: string[], env: NodeJS.ProcessEnv = {}, config: string | null = null): string {
  try {
    parseCommandLine(argv, env, () => config);
  } catch (error) {
    assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
    return error.message;
  }
  return assert.fail(`no error for ${argv.join(' ')}`);
}

test('a mistyped flag is named, with the flag it probably meant', () => {
  assert.equal(usageMessage(['--pers', 'none']), 'unknown option --pers; did you mean --persist?');
  assert.equal(usageMessage(['--dedline', '5']), 'unknown option --dedline; did you mean --deadline?');
  assert.equal(usageMessage(['--log_level=debug']), 'unknown option --log_level; did you mean --log-level?');
  assert.equal(usageMessage(['--frobnicate']), 'unknown option --frobnicate');
  assert.match(usageMessage(['-x']), /^unknown option -x \(short options: -h, -V\)/);
  assert.equal(usageMessage(['statsu']), 'unknown command "statsu"; did you mean status? (commands: apply, plan, status, remove, metadata)');
});

test('a missing or surplus value says how to write the flag', () => {
  assert.equal(usageMessage(['--deadline']), '--deadline needs a value: --deadline SECONDS (or --deadline=VALUE)');
  assert.equal(usageMessage(['--deadline', '--json']), '--deadline needs a value: --deadline SECONDS (or --deadline=VALUE)');
  assert.equal(usageMessage(['--json=yes']), '--json takes no value (got "yes"); write --json alone');
  assert.match(usageMessage(['--persist', 'networkmanger']), /^--persist: expected one of auto, none, networkmanager, netplan, networkd, ifcfg, got "networkmanger"; did you mean networkmanager\?$/);
});

test('no message carries Node parseArgs wording', () => {
  for (const argv of [['--bogus'], ['--deadline'], ['--json=1'], ['-z'], ['--deadline', '-5']]) {
    const message = usageMessage(argv);
    assert.doesNotMatch(message, /ERR_PARSE_ARGS|To specify an option argument|Unknown option '|ambiguous/, message);
  }
});

test('config errors carry file:line with the real path under --root', () => {
  const read = (config: string) => usageMessage(['--root', '/mnt/img'], {}, config);
  assert.equal(read('# c\n\ndedline = 5\n'), '/mnt/img/etc/eni-init/eni-init.conf:3: unknown key "dedline"; did you mean deadline?');
  assert.equal(read('deadline = soon\n'), '/mnt/img/etc/eni-init/eni-init.conf:1: deadline: expected a number, got "soon"');
  assert.equal(read('json = yes\nmetadata-url = ftp://x\n').split(';')[0], '/mnt/img/etc/eni-init/eni-init.conf:2: metadata-url: not an http:// URL');
  assert.equal(read('root = /\n'), '/mnt/img/etc/eni-init/eni-init.conf:1: root cannot be set in the config file; use --root or ENI_INIT_ROOT');
  assert.equal(read('config = /x\n'), '/mnt/img/etc/eni-init/eni-init.conf:1: config cannot be set in the config file; use --config or ENI_INIT_CONFIG');
  assert.match(read('nonsense\n'), /^\/mnt\/img\/etc\/eni-init\/eni-init\.conf:1: expected "key = value"/);
  assert.match(read('colour = red\n'), /:1: unknown key "colour"; the keys are the long option names without "--" \(see eni-init --help\)$/);
  assert.match(read('deadline = 5\ndeadline = 6\n'), /:2: deadline is set a second time \(first at \/mnt\/img\/etc\/eni-init\/eni-init\.conf:1\); keep one line$/);
  assert.match(read('report-file = "/a #b" x\n'), /:1: unexpected "x" after the quoted value/);
  assert.match(read('report-file = "/a\n'), /:1: the value "\/a has no closing double quote/);
  // Without --root the message names the file as it is.
  assert.match(usageMessage(['--config', '/etc/other.conf'], {}, 'bogus = 1\n'), /^\/etc\/other\.conf:1: unknown key/);
});

test('inline comments in the config file; a quoted value keeps its #', () => {
  const request = parseCommandLine([], {}, () => [
    'exclude = eth3, eth4   # test ENIs',
    'deadline = 9\t# seconds',
    'report-file = "/run/a #1.json"  # quoted',
    'only-interface = # none',
    'json = yes#not-a-comment-start-is-literal',
  ].join('\n').replace('json = yes#not-a-comment-start-is-literal', 'table-base = 3000 #'));
  assert.equal(request.kind, 'run');
  if (request.kind !== 'run') return;
  assert.deepEqual(request.options.exclude, ['eth3', 'eth4']);
  assert.equal(request.options.deadlineSeconds, 9);
  assert.equal(request.options.reportFile, '/run/a #1.json');
  assert.equal(request.options.onlyInterface, '');
  assert.equal(request.options.tableBase, 3000);
  const literal = parseCommandLine([], {}, () => 'report-file = /run/a#b.json\n');
  assert.equal(literal.kind === 'run' ? literal.options.reportFile : '', '/run/a#b.json', 'a # inside a word is literal');
});
