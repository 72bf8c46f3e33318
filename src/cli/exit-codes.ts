// The table of exit codes as users read them (--help, man page, README), keyed by the names of EXIT in errors.ts.
import { EXIT } from '../errors.ts';

export type ExitName = keyof typeof EXIT;

export interface ExitDoc {
  code: number;
  name: ExitName;
  /** One line for --help. */
  meaning: string;
}

/** Every key of EXIT has exactly one entry (the type says so; test/unit/cli/exit-codes.test.ts checks it too). */
export const EXIT_MEANINGS: Record<ExitName, string> = {
  OK: 'converged, nothing to change, or (status) in sync',
  INTERNAL: 'internal error (a bug: please report it with the JSON report)',
  USAGE: 'usage error: bad flag, environment variable or config file value, named in the message',
  PARTIAL: 'partial: some ENIs were not configured, or removals were held back (see the report); status: drift',
  METADATA_UNREACHABLE: 'metadata service unreachable within the deadline; nothing was changed',
  BAD_METADATA: 'metadata unusable as a whole; nothing was changed',
  APPLY_FAILED: 'apply failed: an ip command failed, verification found a mismatch, or a file could not be written',
  BUSY: 'busy: another eni-init run held the lock for the whole deadline; nothing was changed',
  INTERRUPTED: 'interrupted by SIGTERM or SIGINT before anything was changed',
  ENVIRONMENT: 'environment unfit: the run directory is read-only or full, or a path is of the wrong type; nothing was changed',
  PERMISSION: 'not permitted: apply and remove need root or CAP_NET_ADMIN and write access to /run/eni-init; nothing was changed',
  READ_FAILED: 'the kernel state or a file eni-init needs could not be read',
  NOT_ON_CLOUD: 'no metadata URL was given and this host does not look like an Alibaba Cloud ECS instance (DMI)',
};

/** The exit codes in numeric order. */
export function exitDocs(): ExitDoc[] {
  return (Object.keys(EXIT_MEANINGS) as ExitName[])
    .map((name) => ({ code: EXIT[name] as number, name, meaning: EXIT_MEANINGS[name] }))
    .sort((a, b) => a.code - b.code);
}
