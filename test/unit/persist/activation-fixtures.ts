// Test helpers of activation: a recording command runner, files in memory, and a file change of a rendered file.
import type { CommandResult } from '../../../src/persist/command.ts';
import type { FileChange, FileIo } from '../../../src/persist/types.ts';

export const ok: CommandResult = { ok: true, code: 0, stdout: '', stderr: '' };

export function recorder(fail: (argv: readonly string[]) => boolean = () => false) {
  const ran: string[] = [];
  return {
    ran,
    run: async (argv: readonly string[]) => {
      ran.push(argv.join(' '));
      return fail(argv) ? { ok: false, code: 1, stdout: '', stderr: 'Error: invalid YAML\n' } : ok;
    },
  };
}

export function memoryIo(files: Map<string, string>): FileIo {
  return {
    read: async (path) => files.get(path) ?? null,
    write: async (path, content) => {
      files.set(path, content);
      return 'replaced';
    },
    remove: async (path) => (files.delete(path) ? 'removed' : 'absent'),
  };
}

export const created = (file: { backend: FileChange['backend']; path: string; content: string; mode: number; ifname?: string }, previous: string | null = null): FileChange => ({
  backend: file.backend,
  ...(file.ifname === undefined ? {} : { ifname: file.ifname }),
  path: file.path,
  action: previous === null ? 'created' : 'replaced',
  content: file.content,
  previous,
  mode: file.mode,
});
