// The coldplug decision's cases, shared by the unit test of isReplayedAdd() and the integration test of packaging/lib/replayed-add.

export interface ReplayCase {
  name: string;
  /** CONFIGURED_DIR/IF content; null: no record. */
  record: string | null;
  /** /sys/class/net/IF/ifindex; undefined: no such interface. */
  ifindex: number | undefined;
  replay: boolean;
}

export const REPLAY_CASES: readonly ReplayCase[] = [
  { name: 'configured by the boot run, same device', record: '3 00:16:3e:5e:01:02\n', ifindex: 3, replay: true },
  { name: 'record without a final newline', record: '3 00:16:3e:5e:01:02', ifindex: 3, replay: true },
  { name: 'a later NIC under the same name (new ifindex)', record: '3 00:16:3e:5e:01:02\n', ifindex: 7, replay: false },
  { name: 'never configured (no record)', record: null, ifindex: 3, replay: false },
  { name: 'interface gone', record: '3 00:16:3e:5e:01:02\n', ifindex: undefined, replay: false },
  { name: 'empty record', record: '', ifindex: 3, replay: false },
  { name: 'ifindex not a number', record: 'x 00:16:3e:5e:01:02\n', ifindex: 3, replay: false },
  { name: 'leading zero', record: '03 00:16:3e:5e:01:02\n', ifindex: 3, replay: false },
  { name: 'no MAC', record: '3\n', ifindex: 3, replay: false },
  { name: 'uppercase MAC (not written by eni-init)', record: '3 00:16:3E:5E:01:02\n', ifindex: 3, replay: false },
  { name: 'trailing field', record: '3 00:16:3e:5e:01:02 x\n', ifindex: 3, replay: false },
];
