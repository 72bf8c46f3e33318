// Loaded before every unit test (package.json test:unit, --import): a unit test that starts a process fails.
import childProcess from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';

/*
 * Unit tests are pure and fast: a test that needs `ip`, `nmcli`, `netplan`, `mkfifo` or any other program
 * belongs in test/integration (run as root in CI). node's test runner starts every test file in a process of
 * its own with this module loaded; the runner itself (its execArgv holds --test) must keep spawning them.
 * syncBuiltinESMExports makes `import { spawn } from 'node:child_process'` see the replacements too.
 */
export const MESSAGE = 'unit tests must not spawn processes: move this test to test/integration';

const NAMES = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const originalExecFileSync = childProcess.execFileSync;

/**
 * The one exception, a fixture and not a program under test: a FIFO (files/ and preflight refuse them). Node has
 * no mkfifo(3), so mkfifo(1) makes it. Import it from here: a test that spawns anything else fails.
 */
export function mkfifo(path: string): void {
  originalExecFileSync('mkfifo', [path], { stdio: 'pipe' });
}

if (!process.execArgv.includes('--test')) {
  const target = childProcess as unknown as Record<string, unknown>;
  for (const name of NAMES) {
    target[name] = () => {
      throw new Error(`${MESSAGE} (child_process.${name})`);
    };
  }
  syncBuiltinESMExports();
}
