// The generated bash completion, sourced in a real bash: what <TAB> offers after `eni-init --pers` and
// `eni-init --persist=` (with bash's default COMP_WORDBREAKS, "=" is a word of its own).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bashCompletion } from '../../src/cli/completion.ts';

const dir = mkdtempSync(join(tmpdir(), 'eni-completion-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = join(dir, 'eni-init');
writeFileSync(script, bashCompletion());

/** The completions bash offers for the words (the last one is the word being completed), one per entry. */
function complete(...words: string[]): string[] {
  const quoted = words.map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  const body = `source "$1" || exit 9
complete -p eni-init >/dev/null || exit 8
COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
COMP_LINE="\${COMP_WORDS[*]}"; COMP_POINT=\${#COMP_LINE}
_eni_init
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const result = spawnSync('bash', ['--norc', '--noprofile', '-c', body, 'bash', script], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  return result.stdout.split('\n').filter((line) => line !== '');
}

test('eni-init --pers<TAB> completes to --persist', () => {
  assert.deepEqual(complete('eni-init', '--pers'), ['--persist']);
  assert.deepEqual(complete('eni-init', 'plan', '--pri'), ['--priority-base', '--primary-rules']);
});

test('eni-init --persist=<TAB> offers the backends; a prefix narrows them', () => {
  assert.deepEqual(complete('eni-init', '--persist', '=', ''), ['auto', 'none', 'networkmanager', 'netplan', 'networkd', 'ifcfg']);
  assert.deepEqual(complete('eni-init', '--persist', '=', 'net'), ['networkmanager', 'netplan', 'networkd']);
  // Where "=" is not a word break, the whole word is completed.
  assert.deepEqual(complete('eni-init', '--persist=netw'), ['--persist=networkmanager', '--persist=networkd']);
  assert.deepEqual(complete('eni-init', '--persist', 'if'), ['ifcfg']);
});

test('commands first, then none; values of --log-level and --metadata-token', () => {
  assert.deepEqual(complete('eni-init', ''), ['apply', 'plan', 'status', 'remove', 'metadata']);
  assert.deepEqual(complete('eni-init', 'st'), ['status']);
  assert.deepEqual(complete('eni-init', 'status', ''), []);
  assert.deepEqual(complete('eni-init', '--log-level', ''), ['error', 'warn', 'info', 'debug']);
  assert.deepEqual(complete('eni-init', '--metadata-token', '=', 'r'), ['required']);
  assert.deepEqual(complete('eni-init', '--deadline', ''), [], 'a number is not guessed');
});
