// A whole run's adapters in memory for the pipeline's unit tests: metadata, a fake kernel that applies the batches, files, state.
import type { Deps } from '../../src/run.ts';
import { DEFAULTS } from '../../src/cli/spec.ts';
import type { Command, Options } from '../../src/cli/spec.ts';
import { silentLogger } from '../../src/log.ts';
import type { Family, LiveState, MetadataResult, RecordedAddress } from '../../src/model.ts';
import { liveState } from './fixtures.ts';
import { fakeKernel } from './fake-kernel.ts';
import type { FakeKernel } from './fake-kernel.ts';
import { NO_FACTS } from '../../src/persist/facts.ts';
import { writtenByUs } from '../../src/persist/own-files.ts';

export interface World {
  deps: Deps;
  kernel: FakeKernel;
  batches: string[][];
  files: Map<string, string>;
  stateWrites: number;
  /** The state file's content. */
  recorded: RecordedAddress[];
}

export function world(read: () => Promise<MetadataResult>, live: LiveState = liveState()): World {
  const batches: string[][] = [];
  const files = new Map<string, string>();
  const store = (path: string, content: string) => {
    const before = files.get(path);
    files.set(path, content);
    return before === undefined ? 'created' : before === content ? 'unchanged' : 'replaced';
  };
  const kernel = fakeKernel(live);
  const w: World = {
    kernel,
    batches,
    files,
    stateWrites: 0,
    recorded: [],
    deps: {
      version: 'test',
      log: silentLogger,
      now: () => Date.now(),
      sleep: async () => {},
      readMetadata: read,
      kernel: {
        readLive: (families?: readonly Family[]) => kernel.readLive(families),
        listInterfaces: () => kernel.listInterfaces(),
        runBatch: async (family, lines) => {
          batches.push(lines);
          return kernel.runBatch(family, lines);
        },
      },
      files: {
        read: async (path) => files.get(path) ?? null,
        writeAtomic: async (path, content) => store(path, content),
        removeIfContent: async (path, content) => {
          if (!files.has(path)) return 'absent';
          if (files.get(path) !== content) return 'different';
          files.delete(path);
          return 'removed';
        },
      },
      state: {
        read: async () => ({ addresses: structuredClone(w.recorded) }),
        write: async (addresses) => {
          w.stateWrites += 1;
          w.recorded = structuredClone(addresses);
        },
      },
      persist: {
        io: {
          read: async (path) => files.get(path) ?? null,
          write: async (path, content) => store(path, content),
          remove: async (path) => (files.delete(path) ? 'removed' : 'absent'),
        },
        probe: async () => NO_FACTS,
        listOwnFiles: async () => [...files].filter(([, content]) => writtenByUs(content)).map(([path, content]) => ({ path, content })),
      },
      lock: async () => ({ release: async () => {} }),
      stopRequested: () => false,
      critical: (step) => step(),
    },
  };
  return w;
}

export const opts = (command: Command, extra: Partial<Options> = {}): Options => ({ ...DEFAULTS, command, deadlineSeconds: 2, ...extra });
