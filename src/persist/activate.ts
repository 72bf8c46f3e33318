// Shell: makes the running managers take the changed files (each backend its own way, in order), then checks they did.
import type { Problem } from '../model.ts';
import type { ActivationDeps, ActivationInput } from './activation.ts';
import { Steps } from './activation.ts';
import type { CheckContext } from './backend.ts';
import { ACTIVATION_ORDER, backendModule } from './backends/index.ts';
import type { FileIo } from './types.ts';

export async function activate(input: ActivationInput, deps: ActivationDeps): Promise<{ problems: Problem[]; ran: boolean }> {
  const steps = new Steps(deps, input.timeLeft);
  for (const backend of ACTIVATION_ORDER) {
    await backend.activate({ changes: input.changes.filter((change) => change.backend === backend.name), input, deps, steps });
  }
  if (steps.ran && input.owners.some((owner) => owner.live && owner.backend !== 'ifcfg')) await checkOwnership(input, deps.io, steps);
  return { problems: steps.problems, ran: steps.ran };
}

/** After activation: the manager must really use our profile or file; a shadowed one is reported, not assumed. */
async function checkOwnership(input: ActivationInput, io: FileIo, steps: Steps): Promise<void> {
  const ctx: CheckContext = { facts: await steps.probe(), files: input.files, io, steps };
  for (const owner of input.owners) {
    if (!owner.live || owner.backend === 'none') continue;
    const mine = input.files.filter((file) => file.ifname === owner.ifname && file.afterActivation !== true);
    const check = backendModule(owner.backend).check;
    if (mine.length === 0 || check === undefined) continue;
    const why = await check(owner, mine, ctx);
    if (why !== undefined) steps.problems.push({ code: 'persist-shadowed', message: `${owner.ifname}: ${why}`, interface: owner.ifname });
  }
}
