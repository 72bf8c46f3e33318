// The one module that spawns `ip`: reads live state with two `-json -batch` processes and applies `-force -batch` lists.
import { spawn } from 'node:child_process';
import { ApplyError, EniInitError } from '../errors.ts';
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
  /** Links, addresses, routes of all tables and rules, both families: two `ip` processes, run concurrently. */
  readLive(): Promise<LiveState>;
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
  /** Cap on the stdout of one process; the process is killed beyond it. Default 64 MiB. */
  maxOutputBytes?: number;
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

/**
 * Characters refused in a batch line: control characters (a newline would start a second command) and the
 * ones `ip -batch` itself interprets: `#` (comment), `\` (line continuation), quotes (word grouping).
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f#\\"']/;

function checkLines(lines: readonly string[]): void {
  lines.forEach((line, index) => {
    if (line.trim() === '' || UNSAFE.test(line)) {
      throw new EniInitError('internal', `refusing ip batch line ${index + 1}: ${line.trim() === '' ? 'empty' : 'unsafe character'}`, {
        details: { line: index + 1, command: JSON.stringify(line) },
      });
    }
  });
}

export function createIpRunner(options: IpRunnerOptions): IpRunner {
  const ipPath = options.ipPath ?? 'ip';
  const prefix = options.netns === undefined ? [] : ['-n', options.netns];
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxOutput = options.maxOutputBytes ?? 64 << 20;
  const { log } = options;

  function run(args: string[], input: string): Promise<Ran> {
    const argv = [...prefix, ...args];
    const started = Date.now();
    return new Promise((resolve, reject) => {
      // Own process group: a Ctrl-C or a SIGTERM to eni-init's group never cuts an `ip -batch` in half;
      // eni-init itself finishes the batch, then stops.
      const child = spawn(ipPath, argv, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' }, detached: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let why = '';
      const kill = (reason: string) => {
        if (why === '') why = reason;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => kill(`timed out after ${timeoutMs} ms`), timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        outBytes += chunk.length;
        if (outBytes > maxOutput) kill(`output over ${maxOutput} bytes`);
        else out.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        if (errBytes < MAX_STDERR) err.push(chunk);
        errBytes += chunk.length;
      });
      // ip may exit before reading all of stdin (an argument error); EPIPE is then expected.
      child.stdin.on('error', () => {});
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(new ApplyError(`cannot run ${ipPath}: ${error.message}`, { cause: error, details: { command: [ipPath, ...argv].join(' ') } }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        const ran: Ran = {
          code,
          killed: signal !== null,
          why: why || (signal !== null ? `killed by ${signal}` : errBytes > MAX_STDERR ? `stderr over ${MAX_STDERR} bytes, cut` : ''),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8').slice(0, MAX_STDERR),
        };
        log.debug('ip', { args: argv.join(' '), lines: input === '' ? undefined : input.split('\n').length - 1, exit: code, signal: signal ?? undefined, ms: Date.now() - started });
        resolve(ran);
      });
      child.stdin.end(input);
    });
  }

  /** `-N` (numeric tables, immune to names in rt_tables) exists since iproute2 5.3; without it names are parsed. */
  let numeric = true;

  /** Runs read-only `show` commands in one batch and returns one parsed JSON value per command. */
  async function show(flags: string[], commands: string[]): Promise<unknown[]> {
    const withN = numeric;
    const args = ['-json', ...(withN ? ['-N'] : []), ...flags, '-batch', '-'];
    const ran = await run(args, commands.map((command) => `${command}\n`).join(''));
    if (withN && ran.code !== 0 && ran.stderr.includes('Option "-N" is unknown')) {
      log.debug('ip has no -N option: reading names instead of numbers');
      numeric = false;
      return show(flags, commands);
    }
    const fail = (message: string, cause?: unknown) =>
      new ApplyError(`cannot read the network state: ${message}`, {
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
    async readLive() {
      // `ip -batch` takes no per-line options and `rule show` dumps IPv4 only unless -6 is given: one process per family.
      const [v4, v6] = await Promise.all([
        show(['-4'], ['link show', 'address show', 'route show table all', 'rule show']),
        show(['-6'], ['address show', 'route show table all', 'rule show']),
      ]);
      const [links, addresses4, routes4, rules4] = v4;
      const [addresses6, routes6, rules6] = v6;
      return {
        interfaces: mergeAddresses(parseLinksAndAddresses(links), parseLinksAndAddresses(addresses4), parseLinksAndAddresses(addresses6)),
        routes: [...parseRoutes(routes4, 4), ...parseRoutes(routes6, 6)],
        rules: [...parseRules(rules4, 4), ...parseRules(rules6, 6)],
      };
    },

    async listInterfaces() {
      const [dump] = await show([], ['address show']);
      return parseLinksAndAddresses(dump);
    },

    async runBatch(family, lines) {
      checkLines(lines);
      if (lines.length === 0) return { ok: true, failures: [], stderr: '' };
      const ran = await run([`-${family}`, '-force', '-batch', '-'], lines.map((line) => `${line}\n`).join(''));
      const failures = attributeBatchErrors(ran.stderr, lines, ran.why === '' ? { code: ran.code } : { code: ran.code, incomplete: `ip ${ran.why}` });
      const stderr = ran.why === '' ? ran.stderr : `${ran.stderr}${ran.stderr.endsWith('\n') || ran.stderr === '' ? '' : '\n'}eni-init: ip ${ran.why}\n`;
      return { ok: !ran.killed && ran.code === 0 && failures.length === 0, failures, stderr };
    },
  };
}
