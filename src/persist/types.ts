// The persistence contract: one interface's desired state in the shape every backend renders, the rendered files and their writes.
import type { Backend, Family } from '../model.ts';

export const BACKENDS: readonly Backend[] = ['networkmanager', 'netplan', 'networkd', 'ifcfg'];

export interface PersistAddress {
  family: Family;
  /** Canonical address without prefix. */
  address: string;
  prefixLength: number;
}

export interface PersistRoute {
  family: Family;
  table: number;
  /** `default` or canonical CIDR. */
  dst: string;
  gateway?: string;
  /** Preferred source address. */
  prefsrc?: string;
  scope?: 'link';
  /** The gateway is reachable on the link although no address covers it (IPv4 default of a /32 setup). */
  onlink?: boolean;
}

export interface PersistRule {
  family: Family;
  priority: number;
  /** Canonical CIDR (`10.0.1.5/32`). */
  from: string;
  table: number;
}

/**
 * `--main-routes-first`: `from all lookup main suppress_prefixlength 0` at `priority` (priority-base - 1). A rule of
 * the whole host, so one interface's file carries it (persistInterfaces decides which).
 */
export interface PersistMainFirst {
  family: Family;
  priority: number;
}

/** Everything eni-init wants on one interface, every value already validated (safe in a file and on a command line). */
export interface InterfacePersist {
  ifname: string;
  /** Lowercase `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  eniId?: string;
  /** The primary ENI: its profile/config is the admin's; renderers never replace it and never turn off its DHCP. */
  primary: boolean;
  /** Addresses eni-init assigns (host prefixes), IPv4 first. Never the primary ENI's DHCP address. */
  addresses: PersistAddress[];
  /** Routes in the ENI's own table (subnet route first, then default). Empty when the ENI has no table. */
  routes: PersistRoute[];
  /** One rule per private IP / delegated prefix. */
  rules: PersistRule[];
  /** The main-routes-first rules, on the one interface chosen to carry them. */
  mainFirst?: PersistMainFirst[];
}

/** What the live system tells about how the manager already handles the interface (found by detection). */
export interface RenderContext {
  /** networkd: the `.network` file networkd applies to the link (absolute path), if any. */
  networkFile?: string;
  /** netplan: the id under `ethernets:` that already defines the interface, if any. */
  netplanId?: string;
}

export interface RenderedFile {
  /** Absolute path as on the real host (the writer adds --root). */
  path: string;
  content: string;
  /** File mode, e.g. 0o600 for NetworkManager keyfiles and netplan YAML. */
  mode: number;
}

/** First line of every file eni-init writes: how eni-init (and the admin) knows the file is eni-init's. */
export const WRITTEN_BY = '# Written by eni-init. Do not edit: eni-init rewrites it on every run, and `eni-init remove` deletes it.';

/** A file a backend wants, with whom it configures. */
export interface DesiredFile extends RenderedFile {
  backend: Backend;
  ifname?: string;
  /** Written after the managers were reloaded: the primary's keep-config drop-in must not trigger a reconfigure. */
  afterActivation?: boolean;
}

/** One file this run wrote or removed, with what it held before (for a rollback) and whom it configures. */
export interface FileChange {
  backend: Backend;
  ifname?: string;
  path: string;
  action: 'created' | 'replaced' | 'removed';
  content: string;
  previous: string | null;
  mode: number;
}

/** The writer (atomic, --root aware, content-checked removal). */
export interface FileIo {
  read(path: string): Promise<string | null>;
  write(path: string, content: string, mode: number): Promise<'created' | 'replaced' | 'unchanged'>;
  remove(path: string, content: string): Promise<'removed' | 'absent' | 'different'>;
}

/** A file eni-init finds on the host, written by it (first line WRITTEN_BY). */
export interface OwnFile {
  path: string;
  content: string;
}
