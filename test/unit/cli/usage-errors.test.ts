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

test('a mistyped command is named, with the command it probably meant (flags: argv.test.ts)', () => {
  assert.equal(usageMessage(['statsu']), 'unknown command "statsu"; did you mean status? (commands: apply, plan, status, remove, metadata)');
  assert.match(usageMessage(['--persist', 'networkmanger']), /^--persist: expected one of auto, none, networkmanager, netplan, networkd, ifcfg, got "networkmanger"; did you mean networkmanager\?$/);
});

test('config errors carry file:line with the real path under --root (the file itself: config-file.test.ts)', () => {
  const read = (config: string) => usageMessage(['--root', '/mnt/img'], {}, config);
  assert.equal(read('# c\n\ndedline = 5\n'), '/mnt/img/etc/eni-init/eni-init.conf:3: unknown key "dedline"; did you mean deadline?');
  assert.equal(read('deadline = soon\n'), '/mnt/img/etc/eni-init/eni-init.conf:1: deadline: expected a number, got "soon"');
  assert.equal(read('json = yes\nmetadata-url = ftp://x\n').split(';')[0], '/mnt/img/etc/eni-init/eni-init.conf:2: metadata-url: not an http:// URL');
  // Without --root the message names the file as it is.
  assert.match(usageMessage(['--config', '/etc/other.conf'], {}, 'bogus = 1\n'), /^\/etc\/other\.conf:1: unknown key/);
});
