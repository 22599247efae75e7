import type { AccountSpec, ChannelRegistry } from '../channels/channel';
import { fieldMapOf, PROFILE_FIELD_CHANNEL_TYPES } from '../channels/profile-fields';
import type { Models } from '../models';
import type { DistributionChannel } from '../models/distribution';
import type { TemplateDoc } from '../models/template';
import { pinnedCopy, savedTemplateProblems } from '../templates/saved-template';
import { validateTemplate, type VariableScope } from '../templates/validate-template';
import type { EditDistributionInput } from './distribution-input';
import type { Problem } from './distribution-problems';
import { savedTemplates } from './template-pin';

export type ChannelInput = (EditDistributionInput['channels'] & object)[number];

/** A provider type sends through an account of its own type; a built-in one takes none. */
function checkChannelAccount(
  type: string,
  spec: AccountSpec | undefined,
  channelId: string | undefined,
  accountTypes: Map<string, string>,
): string | undefined {
  if (!spec) return channelId ? `channel type ${type} sends without an account; omit channel_id` : undefined;
  if (!channelId)
    return spec.optional
      ? undefined
      : `channel type ${type} sends through a provider account: give channel_id (create one with POST /v1/channels)`;
  const found = accountTypes.get(channelId);
  if (!found) return `channel ${channelId} not found`;
  if (found !== type) return `channel ${channelId} is a ${found} account, not ${type}`;
  return undefined;
}

/** A CRM channel's field map may only name variables the distribution fills (the default map names `voucher.code`). */
function profileFieldProblems(settings: Record<string, unknown>, scope: VariableScope, field: string): Problem[] {
  if (settings.fields !== undefined && (typeof settings.fields !== 'object' || settings.fields === null)) return []; // validateSettings reports it
  return Object.entries(fieldMapOf(settings)).flatMap(([name, path]) => {
    const root = path.split('.')[0]!;
    if (scope.has(root)) return [];
    const given = settings.fields !== undefined;
    return [
      {
        field: given ? `${field}.${name}` : field,
        reason: `${given ? '' : `without fields the channel writes ${name} = ${path}; `}variable "${path}": ${scope.why(root)}`,
      },
    ];
  });
}

/** A stored channel as an edit would give it: by its template_id when it names one, so the edit copies the latest version. */
export function asChannelInput(c: DistributionChannel): ChannelInput {
  return {
    type: c.type,
    settings: c.settings,
    ...(c.template_id
      ? { template_id: c.template_id }
      : { template: c.template as NonNullable<ChannelInput['template']> }),
    ...(c.channel_id ? { channel_id: c.channel_id } : {}),
    ...(c.delivery ? { delivery: c.delivery } : {}),
  };
}

/**
 * A distribution's channels, checked: a known type, its settings, its account, its message
 * (every variable in `scope`). The problems are pushed onto `problems`.
 */
export async function checkChannels(
  { models, channels }: { models: Models; channels: ChannelRegistry },
  input: EditDistributionInput['channels'] & object,
  scope: VariableScope,
  problems: Problem[],
): Promise<DistributionChannel[]> {
  const available = channels.types();
  const named = [...new Set(input.flatMap((c) => (c.channel_id ? [c.channel_id] : [])))];
  const [accountTypes, saved] = await Promise.all([
    (named.length ? models.ChannelAccount.find({ _id: { $in: named } }, { type: 1 }).lean() : Promise.resolve([])).then(
      (docs) => new Map(docs.map((a) => [a._id, a.type])),
    ),
    savedTemplates(models, input),
  ]);
  return input.map((c, i) => {
    const settings = c.settings ?? {};
    const channel = available.includes(c.type) ? channels.get(c.type) : undefined;
    const message = channelMessage(c, i, saved, channel ? scope : undefined, problems);
    if (!channel) {
      problems.push({
        field: `channels.${i}.type`,
        reason: `unknown channel type ${c.type} (available: ${available.join(', ') || 'none'})`,
      });
    } else {
      for (const reason of channel.validateSettings(settings))
        problems.push({ field: `channels.${i}.settings`, reason });
      if (PROFILE_FIELD_CHANNEL_TYPES.includes(c.type))
        problems.push(...profileFieldProblems(settings, scope, `channels.${i}.settings.fields`));
      const accountProblem = checkChannelAccount(c.type, channel.account, c.channel_id, accountTypes);
      if (accountProblem) problems.push({ field: `channels.${i}.channel_id`, reason: accountProblem });
    }
    return {
      type: c.type,
      settings,
      ...message,
      ...(c.channel_id ? { channel_id: c.channel_id } : {}),
      ...(c.delivery ? { delivery: c.delivery } : {}),
    };
  });
}

/**
 * A channel's message: its inline template, or a copy of the saved one it names — checked the
 * same way (channel type, content, variables in scope). `scope` undefined: the channel type is
 * unknown, so only what does not depend on it is checked.
 */
function channelMessage(
  c: ChannelInput,
  i: number,
  saved: Map<string, TemplateDoc>,
  scope: VariableScope | undefined,
  problems: Problem[],
): Pick<DistributionChannel, 'template' | 'template_id' | 'template_version'> {
  if (c.template_id === undefined) {
    if (!c.template) {
      problems.push({
        field: `channels.${i}.template`,
        reason: 'give a template, or the template_id of a saved one',
      });
      return { template: {} };
    }
    if (scope) problems.push(...validateTemplate(c.type, c.template, `channels.${i}.template`, scope));
    return { template: c.template };
  }
  const field = `channels.${i}.template_id`;
  if (c.template) problems.push({ field, reason: 'give template or template_id, not both' });
  const t = saved.get(c.template_id);
  if (!t) {
    problems.push({ field, reason: `template ${c.template_id} not found` });
    return { template: {}, template_id: c.template_id };
  }
  if (scope) {
    for (const p of savedTemplateProblems(t, c.type, scope)) {
      problems.push({
        field,
        ...(p.line !== undefined ? { line: p.line } : {}),
        reason: p.field ? `template ${t._id}, ${p.field}: ${p.reason}` : p.reason,
      });
    }
  }
  return pinnedCopy(t);
}
