// The backend contract: where a backend's files live, which of them are eni-init's, how they are rendered and activated.
import { posix } from 'node:path';
import type { ActivationInput, ActivationDeps, Steps } from './activation.ts';
import type { ManagerFacts } from './facts.ts';
import type { Ownership } from './owner.ts';
import type { Backend } from '../model.ts';
import type { DesiredFile, FileChange, FileIo, InterfacePersist, RenderContext, RenderedFile } from './types.ts';

/**
 * One kind of file a backend writes: the files of `dir` (or, with `subdirs`, of its subdirectories of that name)
 * whose name matches `name`. The first capture group of `name`, when there is one, is the interface the file
 * configures. A name that matches only makes the file a candidate: its first line (WRITTEN_BY) decides.
 */
export interface FilePlace {
  dir: string;
  name: RegExp;
  subdirs?: RegExp;
}

/** What a backend's activation gets: its own changed files, the run's input, and the commands within the deadline. */
export interface ActivationContext {
  changes: readonly FileChange[];
  input: ActivationInput;
  deps: ActivationDeps;
  steps: Steps;
}

/** What the check after activation gets: the facts probed after it (a check may probe again and replace them). */
export interface CheckContext {
  facts: ManagerFacts;
  files: readonly DesiredFile[];
  io: FileIo;
  steps: Steps;
}

export interface BackendModule {
  name: Backend;
  /** Every kind of file the backend's renderers write (ownership, listing, removal). */
  places: readonly FilePlace[];
  /**
   * The files the backend needs for `iface`: absolute host paths, exact contents (deterministic, newline-terminated,
   * first line WRITTEN_BY) and modes. Empty when it has nothing to persist for it (e.g. a primary ENI whose config
   * is the admin's). Throws on a value that is unsafe in a path or a file.
   */
  render(iface: InterfacePersist, ctx: RenderContext): RenderedFile[];
  /** Makes the running manager take the changed files (a no-op when it needs nothing). */
  activate(ctx: ActivationContext): Promise<void>;
  /**
   * After activation: does the manager really use `mine` (the owner's files) for the interface? Returns why not
   * (a shadowed profile or file is reported, not assumed), or undefined. Absent: nothing to check (ifcfg).
   */
  check?(owner: Ownership, mine: readonly DesiredFile[], ctx: CheckContext): Promise<string | undefined>;
}

/** The place of `places` that `path` is in, if any. */
export function placeOf(places: readonly FilePlace[], path: string): FilePlace | undefined {
  const dir = posix.dirname(path);
  const name = posix.basename(path);
  return places.find((place) =>
    place.subdirs === undefined ? dir === place.dir && place.name.test(name) : posix.dirname(dir) === place.dir && place.subdirs.test(posix.basename(dir)) && place.name.test(name),
  );
}

/** The interface a file configures, from its name (undefined for a file of no one interface). */
export function interfaceOfPath(places: readonly FilePlace[], path: string): string | undefined {
  return placeOf(places, path)?.name.exec(posix.basename(path))?.[1];
}
