// The generated bash completion names every command, option and allowed value of the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bashCompletion } from '../../../src/cli/completion.ts';
import { COMMANDS, OPTION_SPECS } from '../../../src/cli/spec.ts';

const SCRIPT = bashCompletion();

test('offers every command and every flag', () => {
  const flagList = /compgen -W \$'(--[^']*)' -- "\$cur"/.exec(SCRIPT)?.[1]?.split('\\n') ?? [];
  assert.deepEqual(flagList.filter((flag) => flag.startsWith('--') && flag !== '--help' && flag !== '--version').sort(), OPTION_SPECS.map((spec) => `--${spec.flag}`).sort());
  assert.ok(flagList.includes('-h') && flagList.includes('--version'));
  assert.ok(SCRIPT.includes(`compgen -W $'${COMMANDS.join('\\n')}' -- "$cur"`));
});

test('completes the allowed values of each enumerated option, and paths and interfaces by kind', () => {
  for (const spec of OPTION_SPECS.filter((candidate) => candidate.choices)) {
    assert.ok(SCRIPT.includes(`--${spec.flag}) compgen -W $'${(spec.choices ?? []).join('\\n')}' -- "$value" ;;`), spec.flag);
  }
  assert.ok(SCRIPT.includes('--root) compgen -d -- "$value" ;;'));
  assert.ok(SCRIPT.includes('--report-file) compgen -f -- "$value" ;;'));
  assert.match(SCRIPT, /--exclude\) compgen -W "\$\(command ls \/sys\/class\/net/);
  assert.doesNotMatch(SCRIPT, /--json\)/, 'a switch takes no value');
  assert.match(SCRIPT, /\ncomplete -F _eni_init eni-init\n$/);
});
