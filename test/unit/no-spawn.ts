// Loaded before every unit test (package.json test:unit, --import): a unit test that starts a process fails.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

/*
 * Unit tests are pure and fast, with no exception: a test that needs `ip`, `nmcli`, `netplan` or any other program
 * belongs in test/integration (run as root in CI); so does one that needs a FIFO (node has no mkfifo(3)). node's test runner starts every test file in a process of
 * its own with this module loaded; the runner itself (its execArgv holds --test) must keep spawning them.
 * syncBuiltinESMExports makes `import { spawn } from 'node:child_process'` see the replacements too.
 */
export const MESSAGE = 'unit tests must not spawn processes: move this test to test/integration';

const NAMES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;

if (!process.execArgv.includes('--test')) {
  const target = childProcess as unknown as Record<string, unknown>;
  for (const name of NAMES) {
    target[name] = () => {
      throw new Error(`${MESSAGE} (child_process.${name})`);
    };
  }
  syncBuiltinESMExports();
}
