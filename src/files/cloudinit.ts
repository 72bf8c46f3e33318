// The cloud-init drop-in that stops cloud-init from rewriting network config: content and the decision to write it.

export const CLOUD_INIT_FILE = '/etc/cloud/cloud.cfg.d/99-disable-network-config.cfg';

export const CLOUD_INIT_CONTENT = [
  '# Written by eni-init: stops cloud-init from regenerating network configuration,',
  '# so the secondary ENI configuration survives reboots. `eni-init remove` deletes this file.',
  'network: {config: disabled}',
  '',
].join('\n');

/** True when a file already disables cloud-init's network config in either YAML style. */
export function disablesNetworkConfig(content: string): boolean {
  return /^network:\s*\{\s*config:\s*disabled\s*\}\s*$/m.test(content) || /^network:\s*\n\s+config:\s*disabled\s*$/m.test(content);
}

export type CloudInitDecision = 'write' | 'unchanged' | 'kept-equivalent' | 'kept-foreign';

/** Write only when absent or identical; a file of someone else is never overwritten. */
export function cloudInitDecision(current: string | null): CloudInitDecision {
  if (current === null) return 'write';
  if (current === CLOUD_INIT_CONTENT) return 'unchanged';
  return disablesNetworkConfig(current) ? 'kept-equivalent' : 'kept-foreign';
}
