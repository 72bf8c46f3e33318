// The bench's stopwatch inside the simulated instance: started once with `ip netns exec <instance> node runner.mjs`,
// it runs commands on request and times them from spawn() to the child's exit, so no `ip netns exec` and no start of
// a measuring process is counted. Plain JavaScript (no tsx loader in the timed path).
//
// Protocol: one JSON request per stdin line, one JSON answer per stdout line, in order.
//   {"op":"exec","argv":[...],"env":{...},"input":"...","rssFile":"/tmp/x","straceFile":"/tmp/y","timeoutMs":60000}
//     -> {"code":0,"signal":null,"wallMs":12.3,"maxRssKb":61234,"stdout":"...","stderr":"..."}
//     rssFile: run under GNU time (`/usr/bin/time -f '%M %U %S' -o rssFile`): maxRssKb is the child's peak RSS
//     (ru_maxrss), cpuMs its user+system CPU time (10 ms resolution).
//     straceFile: run under `strace -f` tracing process creation into straceFile (untimed counting runs).
//     memSampleMs: with rssFile, also sample the measured process's /proc/PID/status every memSampleMs ms and answer
//     the highest RssAnon+RssShmem (privateKb) and RssFile (fileKb) seen. The answer's maxRssKb stays GNU time's
//     exact peak; the sampled maxima can miss a peak shorter than the interval, and come from different instants.
//   {"op":"metadata","base":"http://100.100.100.200","items":[...],"maxSockets":64,"timeoutMs":10000}
//     -> {"wallMs":5.1,"requests":17,"enis":2}: token, then the primary MAC and the ENI listing in parallel, then
//     every listed ENI's items all in parallel (a fresh keep-alive pool of maxSockets connections, default unbounded):
//     the metadata round trips no client avoids, timed in this warm process.
// The runner exits when its stdin closes (after the running command), or at once on SIGTERM, killing the process
// group of the running command.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';

const MAX_CAPTURE = 1 << 20;
/** Process groups of the commands running now: killed when the runner is told to stop (SIGTERM). */
const running = new Set();
const now = () => Number(process.hrtime.bigint()) / 1e6;

function execOne(request) {
  let argv = request.argv;
  if (request.straceFile) {
    argv = ['strace', '-f', '-qq', '--seccomp-bpf', '-e', 'trace=clone,clone3,fork,vfork,execve', '-e', 'signal=none', '-o', request.straceFile, '--', ...argv];
  }
  if (request.rssFile) {
    rmSync(request.rssFile, { force: true });
    argv = ['/usr/bin/time', '-f', '%M %U %S', '-o', request.rssFile, '--', ...argv];
  }
  return new Promise((resolve) => {
    const out = [];
    const err = [];
    let outBytes = 0;
    let errBytes = 0;
    let exited = null;
    let closed = false;
    const started = now();
    let memory = null;
    // Own process group, so a timeout kills the command's children too (the seeds' way runs curl and ip).
    const child = spawn(argv[0], argv.slice(1), { env: request.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    if (child.pid !== undefined) running.add(child.pid);
    if (request.rssFile && request.memSampleMs && child.pid !== undefined) memory = sampleMemory(child.pid, request.memSampleMs);
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, request.timeoutMs ?? 120_000);
    const finish = () => {
      if (exited === null || !closed) return;
      clearTimeout(timer);
      const sampled = memory?.stop() ?? {};
      running.delete(child.pid);
      let maxRssKb = null;
      let cpuMs = null;
      if (request.rssFile) {
        try {
          // GNU time writes "Command exited with non-zero status N" before the format line when the command fails.
          const lines = readFileSync(request.rssFile, 'utf8').trim().split('\n');
          const [rss, user, system] = (lines[lines.length - 1] ?? '').split(' ').map(Number);
          maxRssKb = Number.isFinite(rss) ? rss : null;
          cpuMs = Number.isFinite(user) && Number.isFinite(system) ? Math.round((user + system) * 1000) : null;
        } catch {
          maxRssKb = null;
        }
      }
      resolve({ ...exited, maxRssKb, cpuMs, ...sampled, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    };
    child.stdout.on('data', (chunk) => {
      if (outBytes < MAX_CAPTURE) out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on('data', (chunk) => {
      if (errBytes < MAX_CAPTURE) err.push(chunk);
      errBytes += chunk.length;
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => {
      exited = { code: 127, signal: null, wallMs: now() - started, error: error.message };
      closed = true;
      finish();
    });
    child.on('exit', (code, signal) => {
      exited = { code: code ?? 128, signal, wallMs: now() - started };
      finish();
    });
    child.on('close', () => {
      closed = true;
      finish();
    });
    child.stdin.end(request.input ?? '');
  });
}

/** Fields of /proc/PID/status in kB (null when the process is gone). */
function statusKb(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const field = (name) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };
  return { anon: field('RssAnon'), file: field('RssFile'), shmem: field('RssShmem') };
}

/**
 * Samples the memory of the process GNU time (pid `wrapper`) runs: its one child, found through
 * /proc/PID/task/PID/children (Linux >= 3.5 with CONFIG_PROC_CHILDREN). Returns stop() -> { privateKb, fileKb }.
 */
function sampleMemory(wrapper, intervalMs) {
  let target = null;
  let privateKb = 0;
  let fileKb = 0;
  let samples = 0;
  const tick = () => {
    if (target === null) {
      try {
        const children = readFileSync(`/proc/${wrapper}/task/${wrapper}/children`, 'latin1').trim();
        if (children !== '') target = Number(children.split(' ')[0]);
      } catch {
        return;
      }
      if (target === null) return;
    }
    const kb = statusKb(target);
    if (kb === null) return;
    samples++;
    privateKb = Math.max(privateKb, kb.anon + kb.shmem);
    fileKb = Math.max(fileKb, kb.file);
  };
  const interval = setInterval(tick, intervalMs);
  tick();
  return {
    stop() {
      clearInterval(interval);
      return samples === 0 ? { privateKb: null, fileKb: null, memSamples: 0 } : { privateKb, fileKb, memSamples: samples };
    },
  };
}

async function metadataFloor(request) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: request.maxSockets ?? Infinity });
  const timeoutMs = request.timeoutMs ?? 10_000;
  let requests = 0;
  const get = (method, path, headers) =>
    new Promise((resolve, reject) => {
      requests++;
      const req = http.request(`${request.base}${path}`, { method, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  const meta = '/latest/meta-data';
  try {
    const started = now();
    const token = await get('PUT', '/latest/api/token', { 'X-aliyun-ecs-metadata-token-ttl-seconds': '21600' });
    if (token.status !== 200) throw new Error(`token: HTTP ${token.status}`);
    const headers = { 'X-aliyun-ecs-metadata-token': token.body };
    const [mac, listing] = await Promise.all([get('GET', `${meta}/mac`, headers), get('GET', `${meta}/network/interfaces/macs/`, headers)]);
    if (mac.status !== 200 || listing.status !== 200) throw new Error(`mac/listing: HTTP ${mac.status}/${listing.status}`);
    const macs = listing.body.split('\n').filter((line) => line !== '').map((line) => line.replace(/\/$/, ''));
    const answers = await Promise.all(macs.flatMap((eni) => request.items.map((item) => get('GET', `${meta}/network/interfaces/macs/${eni}/${item}`, headers))));
    const wallMs = now() - started;
    const bad = answers.filter((answer) => answer.status !== 200 && answer.status !== 404).length;
    if (bad > 0) throw new Error(`${bad} item reads failed`);
    return { wallMs, requests, enis: macs.length };
  } finally {
    agent.destroy();
  }
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    let answer;
    try {
      const request = JSON.parse(line);
      if (request.op === 'exec') answer = await execOne(request);
      else if (request.op === 'metadata') answer = await metadataFloor(request);
      else answer = { error: `unknown op ${JSON.stringify(request.op)}` };
    } catch (error) {
      answer = { error: error instanceof Error ? error.message : String(error) };
    }
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  });
});
lines.on('close', () => {
  void queue.then(() => process.exit(0));
});
process.on('SIGTERM', () => {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(143);
});
