// The plan step: stored state x metadata x live state -> the desired state, the plan, and the problems found on the way.
import type { LiveState, MetadataResult, Problem, RecordedAddress } from '../model.ts';
import type { Options } from '../cli/spec.ts';
import { buildDesiredState } from '../plan/desired.ts';
import type { DesiredState } from '../plan/desired.ts';
import { diff } from '../plan/diff.ts';
import type { Plan } from '../plan/diff.ts';
import type { Numbering } from '../plan/numbering.ts';

export interface PlanDeps {
  state: { read(): Promise<{ addresses: RecordedAddress[]; problem?: string }> };
}

export interface Planned {
  desired: DesiredState;
  plan: Plan;
  /** The state file as read. */
  stored: { addresses: RecordedAddress[]; problem?: string };
  /** In report order: the state file's, each ENI's, the plan's conflicts, removals held back. */
  problems: Problem[];
}

export type PlanOptions = Pick<Options, 'exclude' | 'onlyInterface' | 'primaryRules' | 'mainRoutesFirst' | 'tableBase' | 'priorityBase' | 'metadataUrl'>;

export function numberingOf(options: Pick<Options, 'tableBase' | 'priorityBase'>): Numbering {
  return { tableBase: options.tableBase, priorityBase: options.priorityBase };
}

/** The nothing that `remove` converges to. */
export const NOTHING: DesiredState = { enis: [], global: [], protectedTables: new Set(), protectedInterfaces: new Set(), unmanagedInterfaces: [] };

export async function planStep(options: PlanOptions, metadata: MetadataResult, live: LiveState, deps: PlanDeps): Promise<Planned> {
  const stored = await deps.state.read();
  const problems: Problem[] = stored.problem ? [{ code: 'state-file', message: stored.problem }] : [];
  const desired = buildDesiredState({
    metadata,
    interfaces: live.interfaces,
    exclude: options.exclude,
    ...(options.onlyInterface === '' ? {} : { only: options.onlyInterface }),
    primaryRules: options.primaryRules,
    mainRoutesFirst: options.mainRoutesFirst,
    numbering: numberingOf(options),
    routes: live.routes,
    recorded: stored.addresses,
    metadataUrl: options.metadataUrl,
  });
  const plan = diff({ desired, live, recorded: stored.addresses, numbering: numberingOf(options), allowRemovals: metadata.complete });
  problems.push(...eniProblems(desired), ...conflictProblems(plan));
  // Incomplete: an ENI's metadata failed to read (metadata.complete) or the semantic gate refused it (desired.complete).
  if ((!metadata.complete || desired.complete === false) && plan.deferred.length > 0) {
    // Removals wait for complete metadata; what waits is a problem of this run, never a silent success.
    const count = plan.deferred.length;
    problems.push({ code: 'removals-held-back', message: `metadata incomplete: ${count} removal${count === 1 ? '' : 's'} held back (listed under deferred)` });
  }
  return { desired, plan, stored, problems };
}

export function conflictProblems(plan: Plan): Problem[] {
  return plan.conflicts.map((conflict) => ({ code: conflict.code ?? 'conflict', message: conflict.message, ...(conflict.mac === undefined ? {} : { mac: conflict.mac }) }));
}

/** Each ENI's problems: what the admin told us to leave alone is not a problem of this run. */
export function eniProblems(desired: DesiredState): Problem[] {
  const problems: Problem[] = [];
  for (const eni of desired.enis) {
    if (eni.status === 'excluded' || eni.status === 'not-selected') continue;
    const where = { mac: eni.mac, ...(eni.ifname === undefined ? {} : { interface: eni.ifname }) };
    const name = `ENI ${eni.eniId ?? eni.mac}${eni.ifname ? ` (${eni.ifname})` : ''}`;
    if (eni.status === 'ambiguous-interface') problems.push({ code: 'ambiguous-interface', message: `${name}: several interfaces carry MAC ${eni.mac}; left alone`, ...where });
    if (eni.status === 'unsafe-interface-name') problems.push({ code: 'unsafe-interface-name', message: `${name}: interface name ${JSON.stringify(eni.ifname)} is not safe to pass to ip; left alone`, ...where });
    for (const problem of eni.problems) {
      problems.push({
        code: 'bad-metadata',
        message: `${name}: ${problem.field}${problem.value === undefined ? '' : ` ${JSON.stringify(problem.value)}`}: ${problem.message}`,
        ...where,
        field: problem.field,
        ...(problem.value === undefined ? {} : { value: problem.value }),
      });
    }
    if (eni.status === 'missing-interface') problems.push({ code: 'missing-interface', message: `ENI ${eni.eniId ?? eni.mac}: no local interface has MAC ${eni.mac}`, ...where });
    if (eni.status === 'no-slot') problems.push({ code: 'no-slot', message: `ENI ${eni.eniId ?? eni.mac}: no free table slot`, ...where });
  }
  return problems;
}
