// --help text, generated from the option table so flags, environment variables and config keys never drift apart.
import { DEFAULTS, OPTION_SPECS, envName } from './spec.ts';

export function helpText(version: string): string {
  const options = OPTION_SPECS.map((spec) => {
    const flag = `--${spec.flag}${spec.placeholder ? ` ${spec.placeholder}` : ''}`;
    const fallback = DEFAULTS[spec.key];
    const shown = Array.isArray(fallback) ? '' : typeof fallback === 'boolean' ? '' : ` (default: ${String(fallback)})`;
    return `  ${flag.padEnd(28)} ${spec.help}${shown}\n  ${''.padEnd(28)} env ${envName(spec.flag)}`;
  });
  return `eni-init ${version}: configure secondary ENIs, private IPs and per-ENI policy routing from instance metadata

Usage: eni-init [command] [options]

Commands:
  apply     converge addresses, routing tables and rules to the metadata (default)
  plan      print what apply would change; change nothing
  status    compare metadata with the live state, per ENI
  remove    delete everything eni-init created (addresses, routes, rules, its cloud-init file)
  metadata  print, as JSON, every metadata path read and its exact body, and what eni-init made of it

Options (flags win over environment variables, which win over the config file):
${options.join('\n')}
  -h, --help                   this text
  -V, --version                print the version

Config file: "key = value" lines with the flag names as keys (default /etc/eni-init/eni-init.conf, under --root).

Exit codes:
  0  converged / nothing to change / in sync      4  metadata service unreachable, nothing changed
  1  internal error                               5  metadata unusable, nothing changed
  2  usage error (flags, environment, config)     6  apply failed (ip, verification or file write)
  3  partial: some ENIs not configured (report)   7  busy: another run held the lock until the deadline
  8  interrupted by a signal before any change     9  environment: /run read-only or full, wrong file type
 10  not permitted: needs root or CAP_NET_ADMIN
`;
}
