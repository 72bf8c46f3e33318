// The one rule for interface names that may reach an `ip` command line, a file name or a file's content.

/**
 * 1 to 15 characters (the kernel's IFNAMSIZ - 1, dev_valid_name), not `.` or `..`, only letters, digits and
 * `_ . @ + -` (so no `/`, `:`, whitespace, quote or control character: safe in one `ip -batch` line, a unit
 * file's `Name=` and a file name), and not starting with `-` (`ip` would take it for an option).
 * Every name the kernel gives an ENI (`eth1`, `ens5`, `enp0s5`, `enP2s0f1`) passes.
 */
const SAFE_NAME = /^(?!-)[A-Za-z0-9_.@+-]{1,15}$/;

export function isSafeInterfaceName(name: string): boolean {
  return SAFE_NAME.test(name) && name !== '.' && name !== '..';
}
