// Typed errors with a stable code; exit codes are chosen from them in one place (exitCodeFor).

export const EXIT = {
  /** Converged: everything in metadata is configured (or already was). */
  OK: 0,
  /** An unexpected internal error (a bug). */
  INTERNAL: 1,
  /** Bad command line, environment variable or config file value. */
  USAGE: 2,
  /** Some ENIs were configured, others were not (interface missing, bad metadata for that ENI). */
  PARTIAL: 3,
  /** The metadata service could not be reached within the deadline. Nothing was changed. */
  METADATA_UNREACHABLE: 4,
  /** The metadata service answered, but with data that cannot be used at all. Nothing was changed. */
  BAD_METADATA: 5,
  /** Changing the system failed: `ip` failed, verification found a mismatch, or a file could not be written. */
  APPLY_FAILED: 6,
  /** Another eni-init run held the lock for the whole deadline. Nothing was changed. */
  BUSY: 7,
  /** SIGTERM or SIGINT arrived before anything was changed. */
  INTERRUPTED: 8,
  /**
   * The environment is unfit, found before anything was changed: the run directory or a file eni-init must
   * write is read-only, full, or of the wrong type (a directory, FIFO or symlink at the lock, config or report path).
   */
  ENVIRONMENT: 9,
  /** Not allowed: apply and remove need root or CAP_NET_ADMIN, and write access to the run directory. */
  PERMISSION: 10,
  /** The kernel state or a file eni-init needs could not be read. */
  READ_FAILED: 11,
  /** No metadata URL was given and this host does not look like an Alibaba Cloud ECS instance (DMI). */
  NOT_ON_CLOUD: 12,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorCode =
  | 'usage'
  | 'metadata-unreachable'
  | 'bad-metadata'
  | 'apply-failed'
  | 'busy'
  | 'interrupted'
  | 'environment'
  | 'permission'
  | 'internal';

export class EniInitError extends Error {
  readonly code: ErrorCode;
  /** Extra structured facts for the report (ENI, field, value, command, stderr...). */
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EniInitError';
    this.code = code;
    this.details = options.details ?? {};
  }
}

export class UsageError extends EniInitError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

export class MetadataUnreachableError extends EniInitError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('metadata-unreachable', message, options);
    this.name = 'MetadataUnreachableError';
  }
}

export class BadMetadataError extends EniInitError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('bad-metadata', message, options);
    this.name = 'BadMetadataError';
  }
}

export class ApplyError extends EniInitError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('apply-failed', message, options);
    this.name = 'ApplyError';
  }
}

export class InterruptedError extends EniInitError {
  constructor() {
    super('interrupted', 'stopped by a signal before changing anything');
    this.name = 'InterruptedError';
  }
}

/** Read-only or full file system, or a path of the wrong type: decided before changing anything. */
export class EnvironmentError extends EniInitError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('environment', message, options);
    this.name = 'EnvironmentError';
  }
}

/** No root / CAP_NET_ADMIN, or no write access where eni-init keeps its state. */
export class PermissionError extends EniInitError {
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('permission', message, options);
    this.name = 'PermissionError';
  }
}

/**
 * The typed error for a failed file-system call on `path` before any change: EACCES/EPERM are permission,
 * read-only, full, quota and wrong-type errors are environment; anything else is returned as is (a bug).
 */
export function fileSystemError(path: string, what: string, error: unknown): unknown {
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = `${what} ${path}: ${errno ?? (error instanceof Error ? error.message : String(error))}`;
  if (errno === 'EACCES' || errno === 'EPERM') return new PermissionError(message, { cause: error, details: { path, errno } });
  if (errno !== undefined && ['EROFS', 'ENOSPC', 'EDQUOT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EMLINK', 'ENXIO', 'EEXIST', 'ENAMETOOLONG', 'EIO'].includes(errno)) {
    return new EnvironmentError(message, { cause: error, details: { path, errno } });
  }
  return error;
}

export class BusyError extends EniInitError {
  constructor(message: string) {
    super('busy', message);
    this.name = 'BusyError';
  }
}

const EXIT_BY_CODE: Record<ErrorCode, ExitCode> = {
  usage: EXIT.USAGE,
  'metadata-unreachable': EXIT.METADATA_UNREACHABLE,
  'bad-metadata': EXIT.BAD_METADATA,
  'apply-failed': EXIT.APPLY_FAILED,
  busy: EXIT.BUSY,
  interrupted: EXIT.INTERRUPTED,
  environment: EXIT.ENVIRONMENT,
  permission: EXIT.PERMISSION,
  internal: EXIT.INTERNAL,
};

/** The one mapping from an error to an exit code. */
export function exitCodeFor(error: unknown): ExitCode {
  return error instanceof EniInitError ? EXIT_BY_CODE[error.code] : EXIT.INTERNAL;
}
