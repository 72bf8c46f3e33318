// Shared data shapes that flow through the pipeline: metadata -> desired state -> plan -> report.

export type Family = 4 | 6;

/**
 * Why a run started, set by the unit that starts it (`--trigger`, ENI_INIT_TRIGGER): eni-init.service boot,
 * eni-init@.service hotplug, eni-init-detach@.service detach, eni-init-refresh.service refresh; by hand: manual.
 */
export type Trigger = 'boot' | 'hotplug' | 'detach' | 'refresh' | 'manual';

/** Instance-level facts read from the metadata service. */
export interface InstanceInfo {
  primaryMac: string;
  instanceId?: string;
  regionId?: string;
  zoneId?: string;
}

/** One ENI's metadata after validation: every value here is safe to put on an `ip` command line. */
export interface EniMetadata {
  /** Lowercase `aa:bb:cc:dd:ee:ff`. */
  mac: string;
  /** `eni-...`. */
  eniId: string;
  primaryIp: string;
  /** All private IPv4 addresses of the ENI, primary first, no duplicates. */
  privateIpv4s: string[];
  /** Prefix length of the vSwitch, from `netmask`. */
  prefixLength: number;
  gateway: string;
  /** vSwitch subnet in canonical CIDR form, derived from primary IP and netmask, e.g. `10.0.1.0/24`. */
  subnet: string;
  /** Delegated IPv4 prefixes (canonical CIDR), empty when none. */
  ipv4Prefixes: string[];
  /** IPv6 addresses (canonical lowercase compressed form), empty when none. */
  ipv6s: string[];
  ipv6Gateway?: string;
  /** vSwitch IPv6 subnet in canonical CIDR form. */
  ipv6Subnet?: string;
  ipv6Prefixes: string[];
  /** The vSwitch CIDR as the service states it (`vswitch-cidr-block`, canonical CIDR); absent when not served. Judged by the gate. */
  vswitchCidrBlock?: string;
  /**
   * Set when the IPv6 side could not be read or validated: ipv6s/ipv6Prefixes are then empty and ipv6Gateway/ipv6Subnet
   * absent, but that means "unknown", not "none": nothing IPv6 this ENI already has may be removed. The IPv4 side is valid.
   */
  ipv6Problems?: MetadataProblem[];
}

/** Where one ENI's metadata came from: the `all` document, the per-item tree, or both. */
export type MetadataSource = 'all' | 'tree' | 'both';

/** Something wrong with one value of the metadata: where, what, and why. */
export interface MetadataProblem {
  mac?: string;
  field: string;
  value?: string;
  message: string;
}

export interface FailedEni {
  mac: string;
  eniId?: string;
  problems: MetadataProblem[];
}

export interface MetadataResult {
  instance: InstanceInfo;
  /** ENIs whose metadata was read and validated. */
  enis: EniMetadata[];
  /** ENIs listed by the service whose metadata could not be read or did not validate. */
  failed: FailedEni[];
  /** True only when the MAC listing and every ENI were read and validated: the only state in which removals are allowed. */
  complete: boolean;
  /** How many HTTP requests were sent (token included). */
  requests: number;
  tokenMode: 'token' | 'plain';
  /** `all` when the `all` document was used (alone or with tree reads), `tree` when it was not. */
  source: 'all' | 'tree';
  /** Per ENI (MAC as listed, canonical): where its values came from. */
  sources?: Record<string, MetadataSource>;
  /** HTTP requests by kind: the token PUT, the `all` document, and per-item (tree) reads; retries included. */
  requestsBy?: { token: number; all: number; tree: number };
}

/** An address eni-init added (the kernel has no owner tag for addresses, so we remember them). */
export interface RecordedAddress {
  ifname: string;
  mac: string;
  family: Family;
  address: string;
  prefixLength: number;
}

/** An address as the kernel reports it. */
export interface LiveAddress {
  family: Family;
  address: string;
  prefixLength: number;
  /** Not permanent (a lease: DHCP, SLAAC): never an address eni-init added. */
  dynamic?: boolean;
}

export interface LiveInterface {
  name: string;
  index: number;
  /** Lowercase MAC; empty for interfaces without one (lo, tun). */
  mac: string;
  /** Administratively up (IFF_UP). */
  up: boolean;
  /** Stacked on or enslaved to another interface (VLAN, macvlan, bond or bridge port): may share its MAC. */
  stacked?: boolean;
  addresses: LiveAddress[];
}

export interface LiveRoute {
  family: Family;
  table: number;
  /** `default` or canonical CIDR. */
  dst: string;
  gateway?: string;
  dev?: string;
  /** Protocol as `ip` prints it: a name (`kernel`, `eni-init`) or a number as a string. */
  protocol: string;
  scope?: string;
  prefsrc?: string;
  /** A multipath route's next hops (IPv6: routes the kernel merged); then `gateway`/`dev` are absent. */
  nexthops?: { gateway?: string; dev?: string }[];
}

export interface LiveRule {
  family: Family;
  priority: number;
  /** Source selector in canonical CIDR form (`10.0.0.5/32`), absent for `from all`. */
  from?: string;
  /** Table number, or a name for the well-known tables (`main`, `local`, `default`). */
  table: number | string;
  protocol?: string;
  suppressPrefixLength?: number;
}

export interface LiveState {
  interfaces: LiveInterface[];
  routes: LiveRoute[];
  rules: LiveRule[];
}

/** The objects eni-init manages. `key` identifies the object for diffing; equal keys mean the same object. */
export type DesiredObject =
  | { kind: 'link-up'; ifname: string }
  | { kind: 'address'; family: Family; ifname: string; address: string; prefixLength: number }
  | {
      kind: 'route';
      family: Family;
      table: number;
      dst: string;
      ifname: string;
      gateway?: string;
      prefsrc?: string;
      scope?: 'link';
      /** Only on the exact delete of a manager's copy (`remove`): its protocol; absent = ours (203). */
      protocol?: string;
    }
  | {
      kind: 'rule';
      family: Family;
      priority: number;
      from?: string;
      table: number | 'main';
      suppressPrefixLength?: number;
      /** Only on the exact delete of a manager's copy (`remove`): its protocol; absent = ours (203). */
      protocol?: string;
    };

export type Operation = { action: 'add' | 'replace' | 'delete'; object: DesiredObject; mac?: string; reason: string };

/** One change made or pending, as the report lists it: the operation with its command text. */
export interface ChangeEntry {
  action: Operation['action'];
  kind: Operation['object']['kind'];
  /** The exact `ip` command, e.g. `ip -4 rule add pref 20001 from 10.0.0.30/32 table 1001 protocol 203`. */
  command: string;
  reason: string;
  mac?: string;
  failed?: string;
}

/** A network manager whose native config eni-init can write. */
export type Backend = 'networkmanager' | 'netplan' | 'networkd' | 'ifcfg';

/** `--persist`: auto-detect the owner of each interface, write nothing, or force one backend. */
export type PersistChoice = 'auto' | 'none' | Backend;

/** Something the run could not do or found wrong, with where (ENI, interface, metadata field). */
export interface Problem {
  code: string;
  message: string;
  mac?: string;
  interface?: string;
  field?: string;
  value?: string;
}

/** What the run did (or would do) to one file. */
export interface FileEntry {
  path: string;
  action: 'created' | 'replaced' | 'unchanged' | 'removed' | 'absent' | 'kept' | 'would-create' | 'would-replace' | 'would-remove' | 'skipped';
  note?: string;
  /** Why the file is (or would be) created, replaced or removed, e.g. `the ENI is no longer in metadata`. */
  reason?: string;
  /** plan, status: the unified diff from the file there now to the one that would be (report/unified-diff.ts), capped. */
  diff?: string;
}

/** A file a dry run would write or remove: its content now and the content it would have (null: absent). */
export interface FilePreview {
  path: string;
  before: string | null;
  after: string | null;
}
