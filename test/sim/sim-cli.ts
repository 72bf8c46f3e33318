// `npm run sim -- shell --layout FILE [--binary PATH] [-- COMMAND...]`: the playground, a simulated instance from a layout file.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { captureProblems } from '../../src/metadata/capture-format.ts';
import type { ImdsCapture } from './imds-config.ts';
import { createSimInstance } from './instance.ts';
import { LayoutError, parseLayout } from './layout.ts';
import type { Layout } from './layout.ts';
import { shellIn } from './shell.ts';

const USAGE = `usage: npm run sim -- shell --layout FILE [--binary PATH] [-- COMMAND...]
  Builds a simulated ECS instance from FILE (example: test/sim/layouts/example.json; format: README, Playground)
  and opens a shell inside it with eni-init on PATH; with COMMAND, runs it there instead. Everything is removed
  when the shell or COMMAND exits. Needs root (network namespaces).`;

class Usage extends Error {}

function readLayout(file: string): Layout {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Usage(`${file}: cannot read the layout: ${error instanceof Error ? error.message : String(error)}`);
  }
  const layout = parseLayout(text, file);
  if (layout.capturePath !== undefined) {
    const path = layout.capturePath;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new LayoutError([`${file}: metadata.capture: ${path}: ${error instanceof Error ? error.message : String(error)}`]);
    }
    const problems = captureProblems(doc);
    if (problems.length > 0) throw new LayoutError(problems.map((problem) => `${file}: metadata.capture: ${path}: ${problem}`));
    layout.spec.capture = doc as ImdsCapture;
  }
  return layout;
}

async function main(argv: string[]): Promise<number> {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const command = split === -1 ? [] : argv.slice(split + 1);
  const { values, positionals } = parseArgs({ args: own, options: { layout: { type: 'string' }, binary: { type: 'string' }, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  if (positionals[0] !== 'shell' || positionals.length !== 1) throw new Usage(`expected the subcommand "shell"${positionals.length > 0 ? `, got ${positionals.join(' ')}` : ''}`);
  if (values.layout === undefined) throw new Usage('--layout FILE is required');
  const layout = readLayout(values.layout);
  if (process.getuid?.() !== 0) throw new Usage('run as root (it creates network namespaces): sudo npm run sim -- shell --layout FILE');
  if (values.binary !== undefined && !existsSync(values.binary)) throw new Usage(`--binary: ${values.binary} does not exist`);
  const sim = await createSimInstance({ ...layout.spec, ...(values.binary === undefined ? {} : { binary: values.binary }) });
  try {
    return await shellIn(sim, command, { what: values.layout });
  } finally {
    await sim.destroy();
    if (command.length === 0) console.log(`(simulated instance ${sim.prefix} removed)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof LayoutError) process.stderr.write(`sim: invalid layout:\n${error.problems.map((p) => `  ${p}`).join('\n')}\n`);
    else if (error instanceof Usage || (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) process.stderr.write(`sim: ${error.message}\n${USAGE}\n`);
    else {
      process.stderr.write(`sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    }
    process.exit(2);
  },
);
