// Shell: what every backend's activation shares: commands run in order within the deadline, problems collected, rollback.
import type { Problem } from '../model.ts';
import type { CommandRunner } from './command.ts';
import { describeFailure } from './command.ts';
import type { ManagerFacts } from './facts.ts';
import { probeTimeout } from './facts.ts';
import type { NetplanStager } from './netplan-stage.ts';
import type { Ownership } from './owner.ts';
import type { DesiredFile, FileChange, FileIo } from './types.ts';

export interface ActivationInput {
  changes: readonly FileChange[];
  owners: readonly Ownership[];
  files: readonly DesiredFile[];
  /** Facts probed before the files were written. */
  facts: ManagerFacts;
  /** Milliseconds left of the run's deadline: no command starts after it, none runs past it (20 s at most). */
  timeLeft(): number;
}

export interface ActivationDeps {
  run: CommandRunner;
  io: FileIo;
  probe(timeoutMs: number): Promise<ManagerFacts>;
  /** netplan generate in a scratch root, installing only what changed (netplan-stage.ts); absent: netplan files are not activated. */
  netplan?: NetplanStager;
  /** Waits between checks (tests pass an instant one). */
  sleep?: (ms: number) => Promise<void>;
}

/** Runs commands in order within the deadline; a command that cannot start in time is reported, not run. */
export class Steps {
  readonly problems: Problem[] = [];
  ran = false;
  constructor(
    private readonly deps: ActivationDeps,
    private readonly timeLeft: () => number,
  ) {}

  timeout(): number {
    return Math.min(20_000, this.timeLeft());
  }

  async run(argv: string[], ifname?: string): Promise<boolean> {
    const where = ifname === undefined ? {} : { interface: ifname };
    if (this.timeout() < 500) {
      this.problems.push({ code: 'persist-activate', message: `${argv.join(' ')}: not run, the deadline is reached`, ...where });
      return false;
    }
    this.ran = true;
    const result = await this.deps.run(argv, this.timeout());
    if (!result.ok) this.problems.push({ code: 'persist-activate', message: describeFailure(argv, result), ...where });
    return result.ok;
  }

  probe(): Promise<ManagerFacts> {
    return this.deps.probe(probeTimeout(this.timeLeft));
  }
}

/** Puts back what the rejected files replaced (or removes them when new); nothing was installed live. */
export async function rollBack(changes: readonly FileChange[], io: FileIo, steps: Steps): Promise<void> {
  for (const change of changes) {
    try {
      if (change.previous === null) await io.remove(change.path, change.content);
      else await io.write(change.path, change.previous, change.mode);
    } catch (error) {
      steps.problems.push({ code: 'persist-write', message: `cannot roll back ${change.path}: ${messageOf(error)}` });
    }
  }
  steps.problems.push({ code: 'persist-activate', message: `the manager refused the new files; rolled back: ${changes.map((change) => change.path).join(', ')}` });
}

export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
