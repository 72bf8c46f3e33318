// `npm run demo [-- --keep]`: a simulated ECS instance with three ENIs, before and after eni-init (run as root);
// --keep then opens a shell on the instance (the playground's, test/sim/shell.ts) and removes it when the shell exits.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createSimInstance, presetInstance } from './instance.ts';
import type { Reachability, SimInstance } from './instance.ts';
import { shellIn } from './shell.ts';

const DEFAULT_BINARY = fileURLToPath(new URL('../../dist/eni-init', import.meta.url));

function heading(text: string): void {
  console.log(`\n== ${text}`);
}

function indent(text: string): string {
  return text.trimEnd().split('\n').map((line) => (line === '' ? '' : `   ${line}`)).join('\n');
}

/** One row per private IP: interface, address, whether ping and TCP from the internet client got an answer. */
function table(sim: SimInstance, rows: Reachability[]): string {
  const owner = new Map(sim.metadata().enis.flatMap((eni) => eni.privateIpv4s.map((ip) => [ip, eni] as const)));
  const ifname = new Map(sim.spec.enis.map((eni) => [eni.mac, eni.ifname]));
  const mark = (ok: boolean) => (ok ? 'answers' : 'NO ANSWER');
  const lines = [['interface', 'private IP', 'role', 'ping', 'tcp']];
  for (const row of rows) {
    const eni = owner.get(row.ip);
    const role = eni === undefined ? '' : eni.primaryIp === row.ip ? 'ENI primary' : 'secondary';
    lines.push([ifname.get(eni?.mac ?? '') ?? '?', row.ip, role, mark(row.ping), mark(row.tcp)]);
  }
  const widths = (lines[0] ?? []).map((_, column) => Math.max(...lines.map((line) => (line[column] ?? '').length)));
  return lines.map((line) => `   ${line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd()).join('\n');
}

async function show(sim: SimInstance, argv: string[]): Promise<void> {
  const result = await sim.exec(argv);
  console.log(`   # ${argv.join(' ')}`);
  console.log(indent(result.stdout || result.stderr || '(empty)'));
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { binary: { type: 'string' }, keep: { type: 'boolean' } }, strict: true });
  const binary = values.binary ?? DEFAULT_BINARY;
  if (process.getuid?.() !== 0) {
    console.error('demo: run as root (it creates network namespaces): sudo npm run demo');
    return 1;
  }
  if (!existsSync(binary)) {
    console.error(`demo: ${binary} does not exist yet: build it first with \`npm run build\` (npm run demo does).`);
    return 1;
  }
  console.log(`A simulated Alibaba Cloud ECS instance in network namespaces:
 - the instance: eth0 (primary ENI) and eth1 in vSwitch 10.0.0.0/24, eth2 in vSwitch 10.0.1.0/24, three private
   IPs each; eth1 and eth2 came up through DHCP with their primary IP only, as NetworkManager leaves them;
 - the VPC: a router with one bridge per vSwitch (gateway .253), the metadata service at 100.100.100.200, and the
   cloud's source/destination check (a packet leaving an ENI must carry one of that ENI's own IPs);
 - an internet client 198.51.100.10 that pings each private IP and opens a TCP connection to it.`);
  const started = Date.now();
  const sim = await createSimInstance({ ...presetInstance('demo'), binary });
  try {
    console.log(`(built in ${Date.now() - started} ms: namespaces ${sim.nsInst}, ${sim.nsVpc}, ${sim.nsClient})`);
    heading('Before: only eth0 answers. eth1 and eth2 receive the requests, but Linux routes every reply by destination');
    console.log('   out of eth0, where the source check drops it; the secondary IPs are not even configured.');
    console.log(table(sim, await sim.reachableAll()));

    heading(`Running eni-init in the instance: ${binary} --metadata-url ${sim.imdsUrl} --root ${sim.rootDir}`);
    const first = await sim.runEniInit([]);
    console.log(indent(first.stdout));
    console.log(`   exit code ${first.code}`);
    if (first.code !== 0) console.log(indent(first.stderr));

    heading('Policy routing it set up (one table per secondary ENI, one rule per private IP)');
    await show(sim, ['ip', 'rule', 'show']);
    await show(sim, ['ip', 'route', 'show', 'table', '1001']);
    await show(sim, ['ip', 'route', 'show', 'table', '1002']);

    heading('After: every private IP answers, through the interface that owns it');
    const after = await sim.reachableAll();
    console.log(table(sim, after));

    heading('Running eni-init a second time: nothing to change');
    const second = await sim.runEniInit([]);
    console.log(indent(second.stdout));
    console.log(`   exit code ${second.code}`);
    const ok = first.code === 0 && second.code === 0 && after.every((row) => row.ping && row.tcp);
    console.log(`\n${ok ? 'Demo OK: every private IP answers after eni-init.' : 'Demo FAILED: see above.'}`);
    if (values.keep === true) {
      console.log('\n--keep: a shell on the demo\'s instance, as eni-init left it.\n');
      await shellIn(sim, [], { binary, what: 'the demo\'s, after eni-init' });
    }
    return ok ? 0 : 1;
  } finally {
    await sim.destroy();
    console.log('(simulated instance removed)');
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
