import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { ConsentDoc } from '../models/consent';
import type { ConsentGroupDoc } from '../models/consent-group';
import { CONSENT_GROUP_PREFIX, CONSENT_PREFIX, type ConsentGroupInput, type ConsentInput } from './consent-input';

function unknownIds(ids: string[]): DomainError {
  const errors = ids.map((id) => ({
    field: id,
    reason: id.startsWith(`${CONSENT_GROUP_PREFIX}_`) ? 'no such consent group' : 'no such consent',
  }));
  return DomainError.invalid(
    'invalid_consents',
    'Unknown consents',
    errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
    { errors },
  );
}

/** Consent definitions and groups: what customers can grant, and what distributions can require. */
export class ConsentCatalog {
  constructor(
    private readonly models: Models,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async list(): Promise<{ consents: ConsentDoc[]; groups: ConsentGroupDoc[] }> {
    const [consents, groups] = await Promise.all([
      this.models.Consent.find().sort({ created_at: 1, _id: 1 }).lean(),
      this.models.ConsentGroup.find().sort({ created_at: 1, _id: 1 }).lean(),
    ]);
    return { consents, groups };
  }

  async create(input: ConsentInput): Promise<ConsentDoc> {
    const now = this.clock();
    const doc: ConsentDoc = { _id: newId(CONSENT_PREFIX), ...input, created_at: now, updated_at: now };
    await this.models.Consent.create([doc], { timestamps: false });
    return doc;
  }

  async createGroup(input: ConsentGroupInput): Promise<ConsentGroupDoc> {
    const members = [...new Set(input.consents)];
    await this.resolve(members, false);
    const now = this.clock();
    const doc: ConsentGroupDoc = {
      _id: newId(CONSENT_GROUP_PREFIX),
      ...input,
      consents: members,
      created_at: now,
      updated_at: now,
    };
    await this.models.ConsentGroup.create([doc], { timestamps: false });
    return doc;
  }

  /**
   * Deletes a consent (leaving every group it was in) or a group. Customers' recorded
   * answers stay, as history; reads skip answers to consents that no longer exist.
   */
  async delete(id: string): Promise<void> {
    if (id.startsWith(`${CONSENT_GROUP_PREFIX}_`)) {
      const { deletedCount } = await this.models.ConsentGroup.deleteOne({ _id: id });
      if (deletedCount === 0) throw DomainError.notFound('consent_group', id);
      return;
    }
    const { deletedCount } = await this.models.Consent.deleteOne({ _id: id });
    if (deletedCount === 0) throw DomainError.notFound('consent', id);
    await this.models.ConsentGroup.updateMany(
      { consents: id },
      { $pull: { consents: id }, $set: { updated_at: this.clock() } },
      { timestamps: false },
    );
  }

  /**
   * The consents named by these ids, a group id standing for its members; any id that is
   * neither a consent nor (where allowed) a group is a 400 naming it.
   */
  async resolve(
    ids: string[],
    allowGroups: boolean,
  ): Promise<{ consents: Map<string, ConsentDoc>; groups: ConsentGroupDoc[] }> {
    const isGroup = (id: string) => allowGroups && id.startsWith(`${CONSENT_GROUP_PREFIX}_`);
    const groupIds = ids.filter(isGroup);
    const groups = groupIds.length ? await this.models.ConsentGroup.find({ _id: { $in: groupIds } }).lean() : [];
    const wanted = new Set([...ids.filter((id) => !isGroup(id)), ...groups.flatMap((g) => g.consents)]);
    const found = wanted.size ? await this.models.Consent.find({ _id: { $in: [...wanted] } }).lean() : [];
    const consents = new Map(found.map((c) => [c._id, c]));
    const known = new Set([...consents.keys(), ...groups.map((g) => g._id)]);
    // A group member deleted meanwhile is simply no longer part of the group.
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) throw unknownIds(missing);
    return { consents, groups };
  }
}
