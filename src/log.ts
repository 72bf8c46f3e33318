// Concise leveled logging to stderr, one line per event, journal-friendly (no colours, no timestamps: journald adds them).

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  debug(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  /** Prefix every line with its syslog priority (`<3>` ...), for journald: see `stderrIsJournal`. */
  priorities?: boolean;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

/** sd-daemon.h: SD_ERR "<3>", SD_WARNING "<4>", SD_INFO "<6>", SD_DEBUG "<7>"; journald strips the prefix into PRIORITY=. */
const SYSLOG_PRIORITY: Record<LogLevel, number> = { error: 3, warn: 4, info: 6, debug: 7 };

/**
 * Whether stderr is connected to the journal: `JOURNAL_STREAM` is `<device>:<inode>` of the stream systemd connected
 * (systemd.exec(5), "$JOURNAL_STREAM"), and it must match stderr's own, or stderr was redirected since (a pipe, a file,
 * a terminal in a child shell). `statStderr` is fstat(2) of fd 2 (undefined when it fails).
 */
export function stderrIsJournal(env: Record<string, string | undefined>, statStderr: () => { dev: number | bigint; ino: number | bigint } | undefined): boolean {
  const match = /^(\d+):(\d+)$/.exec(env['JOURNAL_STREAM'] ?? '');
  if (match === null) return false;
  const stat = statStderr();
  return stat !== undefined && String(stat.dev) === match[1] && String(stat.ino) === match[2];
}

function formatFields(fields: Record<string, unknown> | undefined): string {
  if (!fields) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    parts.push(`${key}=${/[\s"=]/.test(text) ? JSON.stringify(text) : text}`);
  }
  return parts.length > 0 ? ' ' + parts.join(' ') : '';
}

/** `text` (one or more lines, no final newline) as written to stderr at `level`: with `priorities`, every line prefixed. */
export function stderrText(level: LogLevel, text: string, priorities: boolean): string {
  const prefix = priorities ? `<${SYSLOG_PRIORITY[level]}>` : '';
  return `${text.split('\n').map((line) => prefix + line).join('\n')}\n`;
}

/**
 * A logger that writes `<level>: message key=value...` lines through `write` for levels at or above `level`.
 * With `priorities`, every line (each line of a multi-line message too) starts with its syslog priority.
 */
export function createLogger(level: LogLevel, write: (line: string) => void, options: LoggerOptions = {}): Logger {
  const emit = (at: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[at] > RANK[level]) return;
    write(stderrText(at, `${at}: ${message}${formatFields(fields)}`, options.priorities === true));
  };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('error', () => {});
