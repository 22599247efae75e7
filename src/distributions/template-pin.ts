import type { Logger } from '../logger';
import type { Models } from '../models';
import type { DistributionChannel, DistributionDoc } from '../models/distribution';
import type { TemplateDoc } from '../models/template';
import { pinnedCopy, savedTemplateProblems } from '../templates/saved-template';
import { variableScope } from './variable-scope';

/** The saved templates some channels name, by id; ids with no template are absent. */
export async function savedTemplates(
  models: Models,
  channels: ReadonlyArray<{ template_id?: string | undefined }>,
): Promise<Map<string, TemplateDoc>> {
  const ids = [...new Set(channels.flatMap((c) => (c.template_id ? [c.template_id] : [])))];
  if (ids.length === 0) return new Map();
  const docs = await models.Template.find({ _id: { $in: ids } }).lean();
  return new Map(docs.map((t) => [t._id, t]));
}

/**
 * The channels with the latest saved version of each named template copied in, for the moment
 * a manual distribution starts sending: edits made until then (the grace period) are sent,
 * edits after it never reach a send in progress. A template that is gone, or no longer fits
 * (a race with the checks on template edit and delete), keeps the copy taken when the
 * distribution was saved. Undefined when no channel names a template.
 */
export async function pinTemplates(
  models: Models,
  d: DistributionDoc,
  logger: Logger,
): Promise<DistributionChannel[] | undefined> {
  if (!d.channels.some((c) => c.template_id)) return undefined;
  const saved = await savedTemplates(models, d.channels);
  const scope = variableScope(d.trigger, d.purpose);
  return d.channels.map((c) => {
    if (!c.template_id) return c;
    const t = saved.get(c.template_id);
    const problems = t ? savedTemplateProblems(t, c.type, scope) : [{ field: '', reason: 'deleted' }];
    if (!t || problems.length > 0) {
      logger.warn(
        { distributionId: d._id, templateId: c.template_id, problems },
        `distribution ${d._id} sends the copy of template ${c.template_id} saved with it: the template is gone or no longer fits`,
      );
      return c;
    }
    return { ...c, ...pinnedCopy(t) };
  });
}
