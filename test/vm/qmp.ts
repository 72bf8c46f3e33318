// Minimal clients for QEMU's QMP and the guest agent (QGA): JSON lines over a unix socket, every call bounded.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

type Json = Record<string, unknown>;

/** One unix-socket connection that splits incoming bytes into JSON documents (one per line; QGA's 0xff stripped). */
class JsonLines {
  private buffer = '';
  private waiters: { match: (doc: Json) => boolean; resolve: (doc: Json) => void }[] = [];
  private closed = false;
  readonly events: Json[] = [];

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('close', () => {
      this.closed = true;
    });
    socket.on('error', () => {
      this.closed = true;
    });
  }

  static open(path: string, timeoutMs: number): Promise<JsonLines> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`connect ${path}: timed out`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new JsonLines(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline).replace(/\xff/g, '').trim();
      this.buffer = this.buffer.slice(newline + 1);
      if (line === '') continue;
      let doc: Json;
      try {
        doc = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as Json;
      } catch {
        continue;
      }
      if ('event' in doc) this.events.push(doc);
      const index = this.waiters.findIndex((waiter) => waiter.match(doc));
      if (index >= 0) this.waiters.splice(index, 1)[0]?.resolve(doc);
    }
  }

  send(doc: Json, raw = ''): void {
    this.socket.write(`${raw}${JSON.stringify(doc)}\n`);
  }

  /** The next document matching `match`, or undefined after `timeoutMs`. */
  next(match: (doc: Json) => boolean, timeoutMs: number): Promise<Json | undefined> {
    return new Promise((resolve) => {
      const waiter = {
        match,
        resolve: (doc: Json | undefined) => {
          clearTimeout(timer);
          resolve(doc);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function unwrap(command: string, doc: Json | undefined, timeoutMs: number): unknown {
  if (doc === undefined) throw new Error(`${command}: no answer within ${timeoutMs} ms`);
  if (doc['error'] !== undefined) throw new Error(`${command}: ${JSON.stringify(doc['error'])}`);
  return doc['return'];
}

/** QMP: greeting, qmp_capabilities, then commands tagged with an id. */
export class Qmp {
  private counter = 0;
  private constructor(private readonly conn: JsonLines) {}

  static async open(path: string, timeoutMs = 10_000): Promise<Qmp> {
    const conn = await JsonLines.open(path, timeoutMs);
    const greeting = await conn.next((doc) => 'QMP' in doc, timeoutMs);
    if (greeting === undefined) throw new Error('QMP: no greeting');
    const qmp = new Qmp(conn);
    await qmp.call('qmp_capabilities');
    return qmp;
  }

  async call(command: string, args?: Json, timeoutMs = 10_000): Promise<unknown> {
    const id = `c${++this.counter}`;
    const answer = this.conn.next((doc) => doc['id'] === id, timeoutMs);
    this.conn.send({ execute: command, ...(args === undefined ? {} : { arguments: args }), id });
    return unwrap(command, await answer, timeoutMs);
  }

  get events(): Json[] {
    return this.conn.events;
  }

  close(): void {
    this.conn.close();
  }
}

export interface GuestExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The guest agent. Every call is preceded by guest-sync-delimited, so stale answers are skipped after reboots. */
export class Qga {
  private conn: JsonLines | undefined;
  private counter = Math.floor(Math.random() * 1e6);
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  private async connection(): Promise<JsonLines> {
    if (this.conn === undefined || this.conn.isClosed) this.conn = await JsonLines.open(this.path, 5000);
    return this.conn;
  }

  /** Syncs once: true when the agent answered within `timeoutMs`. */
  private async sync(timeoutMs: number): Promise<boolean> {
    const conn = await this.connection();
    const id = ++this.counter;
    const answer = conn.next((doc) => doc['return'] === id, timeoutMs);
    conn.send({ execute: 'guest-sync-delimited', arguments: { id } }, '\xff');
    return (await answer) !== undefined;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Waits until the agent answers (bounded). */
  waitReady(timeoutMs: number): Promise<void> {
    return this.serial(async () => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        try {
          if (await this.sync(Math.min(3000, Math.max(500, until - Date.now())))) return;
        } catch {
          this.conn?.close();
          this.conn = undefined;
          await sleep(1000);
        }
      }
      throw new Error(`guest agent not answering after ${timeoutMs} ms`);
    });
  }

  call(command: string, args?: Json, timeoutMs = 10_000): Promise<unknown> {
    return this.serial(async () => {
      if (!(await this.sync(Math.min(timeoutMs, 5000)))) throw new Error(`guest agent: no sync answer before ${command}`);
      const conn = await this.connection();
      // The agent answers in order and carries no ids: the first object answer is ours (late sync answers are numbers).
      const answer = conn.next((doc) => 'error' in doc || (typeof doc['return'] === 'object' && doc['return'] !== null), timeoutMs);
      conn.send({ execute: command, ...(args === undefined ? {} : { arguments: args }) });
      return unwrap(command, await answer, timeoutMs);
    });
  }

  /** `sh -c script` in the guest; code 124 after `timeoutMs` (the guest process is left running). */
  async exec(script: string, timeoutMs = 60_000): Promise<GuestExecResult> {
    const started = (await this.call('guest-exec', { path: '/bin/sh', arg: ['-c', script], 'capture-output': true })) as { pid: number };
    const until = Date.now() + timeoutMs;
    for (let delay = 100; Date.now() < until; delay = Math.min(delay * 2, 1000)) {
      const status = (await this.call('guest-exec-status', { pid: started.pid })) as { exited: boolean; exitcode?: number; signal?: number; 'out-data'?: string; 'err-data'?: string };
      if (status.exited) {
        const text = (data: string | undefined) => Buffer.from(data ?? '', 'base64').toString('utf8');
        return { code: status.exitcode ?? 128 + (status.signal ?? 0), stdout: text(status['out-data']), stderr: text(status['err-data']) };
      }
      await sleep(delay);
    }
    return { code: 124, stdout: '', stderr: `timed out after ${timeoutMs} ms: ${script}` };
  }

  /** Starts a command without waiting for it (e.g. reboot). */
  async spawn(script: string): Promise<void> {
    await this.call('guest-exec', { path: '/bin/sh', arg: ['-c', script] });
  }

  close(): void {
    this.conn?.close();
    this.conn = undefined;
  }
}
