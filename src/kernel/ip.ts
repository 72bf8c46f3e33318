// The one module that runs `ip` (through src/exec/run-program.ts): reads live state with two `-json -batch` processes and applies `-force -batch` lists.
import { constants, readdirSync, readlinkSync } from 'node:fs';
import { open, readdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { PROTOCOL } from '../plan/numbering.ts';
import { ApplyError, EniInitError, ReadError } from '../errors.ts';
import { runProgram } from '../exec/run-program.ts';
import type { ProgramResult } from '../exec/run-program.ts';
import type { Logger } from '../log.ts';
import type { Family, LiveInterface, LiveState } from '../model.ts';
import { attributeBatchErrors, mergeAddresses, parseLinksAndAddresses, parseRoutes, parseRules, splitJsonValues } from './parse.ts';
import type { BatchFailure } from './parse.ts';

export type { BatchFailure } from './parse.ts';

export interface BatchResult {
  ok: boolean;
  failures: BatchFailure[];
  stderr: string;
}

export interface IpRunner {
  /**
   * Links, addresses, routes of all tables and rules of `families` (default both): one `ip` process per family,
   * run concurrently. Links are always read; addresses, routes and rules of a family not asked for are absent.
   */
  readLive(families?: readonly Family[]): Promise<LiveState>;
  /** `ip -batch` of `lines` under `-4`/`-6` with `-force`: one process; failures attributed to 1-based lines. */
  runBatch(family: Family, lines: string[]): Promise<BatchResult>;
  /** Links with their addresses: one process. */
  listInterfaces(): Promise<LiveInterface[]>;
}

export interface IpRunnerOptions {
  /** Default `ip` (found through PATH). */
  ipPath?: string;
  /** Run every command in this network namespace (`ip -n NAME`), for tests. */
  netns?: string;
  /** Per process; the process is killed after it. Default 30 s. */
  timeoutMs?: number;
  /** Milliseconds left of the run's deadline: no `ip` process runs past it (the runner shortens its timeout). */
  timeLeft?: () => number;
  /** Cap on the stdout of one process; the process is killed beyond it. Default 64 MiB. */
  maxOutputBytes?: number;
  /**
   * Where a changing batch is written complete before `ip` starts (main.ts: the run directory). The file is
   * unlinked as soon as it is open; `ip` reads it as its stdin. Default the system temp directory.
   */
  batchDir?: string;
  log: Logger;
}

interface Ran {
  code: number | null;
  killed: boolean;
  /** Why the process was killed, or its stderr cut; '' when neither. */
  why: string;
  stdout: string;
  stderr: string;
}

const MAX_STDERR = 4 << 20;

/** The runner's result in the words the batch attribution and the read errors use. */
function toRan(result: ProgramResult, maxOutput: number): Ran {
  const why = result.timedOut
    ? `timed out after ${result.timeoutMs} ms`
    : result.outputTruncated && result.signal !== null
      ? `output over ${maxOutput} bytes`
      : result.signal !== null
        ? `killed by ${result.signal}`
        : result.outputTruncated
          ? `stderr over ${MAX_STDERR} bytes, cut`
          : '';
  return { code: result.exitCode, killed: result.signal !== null, why, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Characters refused in a batch line: control characters (a newline would start a second command) and the
 * ones `ip -batch` itself interprets: `#` (comment), `\` (line continuation), quotes (word grouping).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f#\\"']/;

/**
 * The grammar of the changing commands eni-init runs (the first two words), and the tag every route and rule
 * carries. Addresses and `link set up` have no tag in the kernel: addresses are recorded in the state file.
 */
const TAG = String(PROTOCOL);
/** `key value` is in the line, the value `tag` or, without one, a protocol name or number as rt_protos spells it. */
const tagged = (words: readonly string[], key: string, tag?: string): boolean =>
  words.some((word, i) => word === key && (tag === undefined ? /^[A-Za-z0-9_.-]{1,32}$/.test(words[i + 1] ?? '') : words[i + 1] === tag));
function grammarProblem(line: string): string | undefined {
  const words = line.split(' ');
  const verb = `${words[0]} ${words[1]}`;
  if (['address add', 'address del'].includes(verb)) return words.length >= 5 && words[3] === 'dev' ? undefined : 'not an address command';
  if (verb === 'link set') return words.length === 5 && words[2] === 'dev' && words[4] === 'up' ? undefined : 'not a link-up command';
  if (['route add', 'route replace'].includes(verb)) return tagged(words, 'proto', TAG) ? undefined : `route without proto ${TAG}`;
  if (verb === 'rule add') return tagged(words, 'protocol', TAG) ? undefined : `rule without protocol ${TAG}`;
  // A delete names the protocol of the copy it deletes, so the kernel matches exactly that copy: ours (203), or
  // a manager's copy of what our removed files held (src/plan/copies.ts, bounded to our ranges and exact twins).
  if (verb === 'route del') return tagged(words, 'proto') ? undefined : 'route delete without an explicit proto';
  if (verb === 'rule del') return tagged(words, 'protocol') ? undefined : 'rule delete without an explicit protocol';
  return `command ${JSON.stringify(verb)} is not one eni-init runs`;
}

/** Throws (internal error, a bug) for a line outside the grammar of the commands eni-init runs, or untagged. */
export function checkLines(lines: readonly string[]): void {
  lines.forEach((line, index) => {
    const why = line.trim() === '' ? 'empty' : UNSAFE.test(line) ? 'unsafe character' : line !== line.trim() || line.includes('  ') ? 'stray spaces' : grammarProblem(line);
    if (why !== undefined) {
      throw new EniInitError('internal', `refusing ip batch line ${index + 1}: ${why}`, {
        details: { line: index + 1, command: JSON.stringify(line) },
      });
    }
  });
}

const BATCH_FILE = /^\.ip-batch\.(\d+)\.[0-9a-f]+$/;

/**
 * Removes batch files that a run killed between writing and unlinking one left behind (a window of a few
 * milliseconds): only names of our pattern whose pid is gone. Best effort; never follows anything (unlink).
 */
async function sweepBatchFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const match = BATCH_FILE.exec(name);
    if (!match || Number(match[1]) === process.pid) continue;
    try {
      process.kill(Number(match[1]), 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ESRCH') await unlink(`${dir}/${name}`).catch(() => {});
    }
  }
}

/**
 * Kills what a killed run left running: `ip` processes whose stdin is one of our batch files in `dir` (an
 * unlinked `.ip-batch.<pid>.*`, shown by /proc as `... (deleted)`) of a run that is gone. Node cannot set
 * PR_SET_PDEATHSIG, so this is how `ip` dies with a run killed by SIGKILL: before the next run reads the state
 * (it holds the lock by then), never while it plans or applies. Waits (bounded) until they are gone.
 */
async function reapOrphans(dir: string, log: Logger): Promise<void> {
  const prefix = `${dir}/.ip-batch.`;
  // Synchronous: a few microseconds per process (an async readlink per process cost ~20 ms on a busy host).
  let pids: string[];
  try {
    pids = readdirSync('/proc');
  } catch {
    return;
  }
  const orphans: number[] = [];
  for (const entry of pids) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let stdin = '';
    try {
      stdin = readlinkSync(`/proc/${entry}/fd/0`);
    } catch {
      continue; // gone, or not ours to see
    }
    const owner = BATCH_FILE.exec(stdin.slice(dir.length + 1).replace(/ \(deleted\)$/, ''))?.[1];
    if (!stdin.startsWith(prefix) || owner === undefined || Number(owner) === process.pid) continue;
    try {
      process.kill(Number(owner), 0);
      continue; // its run is alive (and holds the lock, or we would not be here): not an orphan
    } catch {
      // the run that wrote the batch is gone
    }
    orphans.push(Number(entry));
  }
  for (const pid of orphans) {
    log.warn('stopping an ip batch left running by a killed eni-init run', { pid });
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const until = Date.now() + 2000;
  while (orphans.some((pid) => isRunning(pid)) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `content` to a new file in `dir` (O_EXCL, no-follow, 0600), closes it, opens it again read-only and
 * unlinks it: the returned descriptor is the complete batch, and no file is left behind. `ip` gets it as stdin,
 * so it never sees a batch that is still being written, and a kill of eni-init cannot cut a line in half.
 */
async function completeBatchFile(dir: string, content: string): Promise<import('node:fs/promises').FileHandle> {
  const path = `${dir}/.ip-batch.${process.pid}.${randomBytes(6).toString('hex')}`;
  const writer = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    try {
      // No fsync: the file only has to be complete for `ip` (the page cache is what it reads), never to survive
      // a power cut: it is unlinked before `ip` starts.
      await writer.writeFile(content);
    } finally {
      await writer.close();
    }
    return await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } finally {
    await unlink(path).catch(() => {});
  }
}

export function createIpRunner(options: IpRunnerOptions): IpRunner {
  const ipPath = options.ipPath ?? 'ip';
  const prefix = options.netns === undefined ? [] : ['-n', options.netns];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxOutput = options.maxOutputBytes ?? 64 << 20;
  const batchDir = options.batchDir ?? tmpdir();
  const { log } = options;
  let swept = false;
  let reaped: Promise<void> | undefined;
  /** Once per runner, before the first read: what a killed run left running must not change the state under us. */
  const reap = () => (reaped ??= options.batchDir === undefined ? Promise.resolve() : reapOrphans(batchDir, log));

  /**
   * Runs `ip` with `input` on stdin: a string through a pipe (read-only `show` commands: a cut line there
   * changes nothing), or a descriptor of a complete file (changing batches).
   * `ip` stays in eni-init's process group and cgroup (not detached): a signal to the group (Ctrl-C) or
   * systemd stopping the unit stops it too, and eni-init kills it when it exits. Node cannot set
   * PR_SET_PDEATHSIG, so a SIGKILL of eni-init's pid alone leaves `ip` running: it then runs the rest of a
   * batch that is complete and tagged, which the next run finds done.
   */
  async function run(args: string[], input: string | number, reading = false): Promise<Ran> {
    const argv = [...prefix, ...args];
    const started = Date.now();
    const lineCount = typeof input === 'string' ? (input === '' ? undefined : input.split('\n').length - 1) : undefined;
    const result = await runProgram([ipPath, ...argv], { timeoutMs, ...(options.timeLeft === undefined ? {} : { timeLeft: options.timeLeft }), input, maxStdout: maxOutput, maxStderr: MAX_STDERR });
    if (result.startError !== undefined) {
      const details = { cause: result.startError, details: { command: [ipPath, ...argv].join(' ') } };
      throw reading ? new ReadError(`cannot run ${ipPath}: ${result.startError.message}`, details) : new ApplyError(`cannot run ${ipPath}: ${result.startError.message}`, details);
    }
    log.debug('ip', { args: argv.join(' '), lines: lineCount, exit: result.exitCode, signal: result.signal ?? undefined, ms: Date.now() - started });
    return toRan(result, maxOutput);
  }

  /** `-N` (numeric tables, immune to names in rt_tables) exists since iproute2 5.3; without it names are parsed. */
  let numeric = true;

  /** Runs read-only `show` commands in one batch and returns one parsed JSON value per command. */
  async function show(flags: string[], commands: string[]): Promise<unknown[]> {
    const withN = numeric;
    const args = ['-json', ...(withN ? ['-N'] : []), ...flags, '-batch', '-'];
    const ran = await run(args, commands.map((command) => `${command}\n`).join(''), true);
    if (withN && ran.code !== 0 && ran.stderr.includes('Option "-N" is unknown')) {
      log.debug('ip has no -N option: reading names instead of numbers');
      numeric = false;
      return show(flags, commands);
    }
    const fail = (message: string, cause?: unknown) =>
      new ReadError(`cannot read the network state: ${message}`, {
        ...(cause === undefined ? {} : { cause }),
        details: { command: ['ip', ...prefix, ...args].join(' '), input: commands, exitCode: ran.code, stderr: ran.stderr.trim() },
      });
    if (ran.killed || ran.code !== 0) throw fail(ran.why || `ip exited with code ${String(ran.code)}: ${ran.stderr.trim()}`);
    let values: unknown[];
    try {
      values = splitJsonValues(ran.stdout);
    } catch (error) {
      throw fail(`unexpected ip output (${(error as Error).message})`, error);
    }
    if (values.length !== commands.length) throw fail(`expected ${commands.length} JSON values, got ${values.length}`);
    return values;
  }

  return {
    async readLive(families = [4, 6]) {
      await reap();
      // `ip -batch` takes no per-line options and `rule show` dumps IPv4 only unless -6 is given: one process per
      // family. `link show` (every link, whatever the family flag) goes with the first family read.
      const asked = ([4, 6] as const).filter((family) => families.includes(family));
      const read = asked.length === 0 ? ([4, 6] as const) : asked;
      const dumps = await Promise.all(
        read.map(async (family, i) => {
          const withLinks = i === 0;
          const values = await show([`-${family}`], [...(withLinks ? ['link show'] : []), 'address show', 'route show table all', 'rule show']);
          const [addresses, routes, rules] = withLinks ? values.slice(1) : values;
          return { family, links: withLinks ? values[0] : undefined, addresses, routes, rules };
        }),
      );
      return {
        interfaces: mergeAddresses(parseLinksAndAddresses(dumps[0]?.links ?? []), ...dumps.map((dump) => parseLinksAndAddresses(dump.addresses))),
        routes: dumps.flatMap((dump) => parseRoutes(dump.routes, dump.family)),
        rules: dumps.flatMap((dump) => parseRules(dump.rules, dump.family)),
      };
    },

    async listInterfaces() {
      const [dump] = await show([], ['address show']);
      return parseLinksAndAddresses(dump);
    },

    async runBatch(family, lines) {
      checkLines(lines);
      if (lines.length === 0) return { ok: true, failures: [], stderr: '' };
      await reap();
      if (!swept) {
        swept = true;
        await sweepBatchFiles(batchDir);
      }
      let batch;
      try {
        batch = await completeBatchFile(batchDir, lines.map((line) => `${line}\n`).join(''));
      } catch (error) {
        throw new ApplyError(`cannot write the ip batch file in ${batchDir}: ${(error as Error).message}`, { cause: error, details: { dir: batchDir } });
      }
      let ran: Ran;
      try {
        ran = await run([`-${family}`, '-force', '-batch', '-'], batch.fd);
      } finally {
        await batch.close();
      }
      const failures = attributeBatchErrors(ran.stderr, lines, ran.why === '' ? { code: ran.code } : { code: ran.code, incomplete: `ip ${ran.why}` });
      const stderr = ran.why === '' ? ran.stderr : `${ran.stderr}${ran.stderr.endsWith('\n') || ran.stderr === '' ? '' : '\n'}eni-init: ip ${ran.why}\n`;
      return { ok: !ran.killed && ran.code === 0 && failures.length === 0, failures, stderr };
    },
  };
}
