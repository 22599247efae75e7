import type { UpdateQuery } from 'mongoose';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import { raiseEvent, withOutbox, type PendingEvent } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import { checkMetadata } from '../metadata/metadata-schema';
import type { CustomerDoc } from '../models/customer';
import type { Models } from '../models';
import type { SegmentDoc } from '../models/segment';
import { evaluateMembership } from '../segments/membership';
import { customerRef, toCustomerJson } from './customer-json';
import type { CustomerInput } from './customer-input';

const MAX_ATTEMPTS = 50;

/** A change to apply to the customer as it is now; may also raise events of its own. */
/** `null` means "nothing to change": no write, no version bump. */
export type CustomerChange = (
  current: CustomerDoc,
) => { set?: Record<string, unknown>; events?: (next: CustomerDoc) => PendingEvent[] } | null;

/**
 * Writes customers so that every write re-evaluates segment memberships and records
 * entered/left events in the same single-document update (see src/events/outbox.ts).
 * Concurrent writes to one customer are serialised by its `version`.
 */
export class CustomerService {
  constructor(
    private readonly models: Models,
    /** Called after a write that raised events, to relay them soon. */
    private readonly onEvents: (customerId: string) => void = () => undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async find(idOrSourceId: string): Promise<CustomerDoc | null> {
    const { Customer } = this.models;
    const doc =
      (await Customer.findById(idOrSourceId).lean()) ??
      (await Customer.findOne({ source_id_key: idOrSourceId }).lean());
    return doc && !doc.deleted_at ? doc : null;
  }

  /** By source_id alone, one query: `source_id_key` is the id of a customer without a source_id. */
  async findBySourceId(sourceId: string): Promise<CustomerDoc | null> {
    const doc = await this.models.Customer.findOne({ source_id_key: sourceId }).lean();
    return doc && !doc.deleted_at ? doc : null;
  }

  async get(idOrSourceId: string): Promise<CustomerDoc> {
    const doc = await this.find(idOrSourceId);
    if (!doc) throw DomainError.notFound('customer', idOrSourceId);
    return doc;
  }

  /** POST /customers: creates, or updates the customer with this id or source_id (Voucherify's upsert). */
  async upsert(input: CustomerInput): Promise<CustomerDoc> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const existing =
        (input.id && (await this.find(input.id))) || (input.source_id && (await this.find(input.source_id))) || null;
      if (existing) return this.mutate(existing._id, (current) => ({ set: fieldsOf(input, current) }));
      if (input.id) throw DomainError.notFound('customer', input.id);
      try {
        return await this.insert(input);
      } catch (err) {
        // Another request created the same source_id meanwhile: update that one instead.
        if (!onlyDuplicateKeys(err)) throw err;
      }
    }
    throw DomainError.conflict(
      'multiple_requests',
      'Too many concurrent changes to this customer',
      'Retry the request.',
    );
  }

  async update(idOrSourceId: string, input: CustomerInput): Promise<CustomerDoc> {
    const current = await this.get(idOrSourceId);
    return this.mutate(current._id, (doc) => ({ set: fieldsOf(input, doc) }));
  }

  /**
   * Marks the customer deleted and raises `left` for its auto-update segments in one
   * update; the relay removes the document once those events are safe in `events`.
   */
  async delete(idOrSourceId: string): Promise<void> {
    const current = await this.get(idOrSourceId);
    await this.mutate(current._id, (doc) => ({
      set: { deleted_at: this.clock(), source_id_key: `deleted:${doc._id}`, segments: [] },
    }));
  }

  /**
   * Applies a change with optimistic concurrency, re-evaluating segments from the result.
   * `read` is the customer as the caller just read it, which spares the first attempt its
   * read; a stale one only costs that attempt, whose write the version check refuses.
   */
  async mutate(id: string, change: CustomerChange, read?: CustomerDoc): Promise<CustomerDoc> {
    const { Customer } = this.models;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = attempt === 0 && read ? read : await Customer.findById(id).lean();
      if (!current || current.deleted_at) throw DomainError.notFound('customer', id);
      const now = this.clock();
      const changed = change(current);
      if (changed === null) return current;
      const { set = {}, events } = changed;
      if ('source_id' in set && !('source_id_key' in set)) set.source_id_key = set.source_id ?? id;
      const next = { ...current, ...set, updated_at: now } as CustomerDoc;
      if ('metadata' in set) await this.assertMetadata(next.metadata);
      const deleting = next.deleted_at !== undefined;
      const membership = deleting
        ? { segments: [], entered: [], left: await this.segmentsById(current.segments) }
        : evaluateMembership(current.segments, toCustomerJson(next), await this.activeSegments(), now);
      next.segments = membership.segments;
      next.version = current.version + 1;
      const raised = [...segmentEvents(next, membership.entered, membership.left, now), ...(events?.(next) ?? [])];
      const { unset, ...fields } = splitNulls({ ...set, segments: membership.segments, updated_at: now });
      // A deletion always goes through the relay, which removes the document once its events are out.
      if (deleting) fields.outbox_pending = true;
      const update: UpdateQuery<CustomerDoc> = withOutbox(
        {
          $set: fields,
          ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}),
          $inc: { version: 1 },
        },
        raised,
      );
      const { matchedCount } = await Customer.updateOne({ _id: id, version: current.version }, update).catch(
        (err: unknown) => {
          // Only source_id is unique: the change gave this customer another customer's source_id.
          if (onlyDuplicateKeys(err)) {
            throw DomainError.conflict(
              'duplicate_found',
              'Duplicate customer',
              `source_id: another customer has source_id ${String(set.source_id)}`,
            );
          }
          throw err;
        },
      );
      if (matchedCount === 1) {
        if (raised.length > 0 || deleting) this.onEvents(id);
        return next;
      }
      // Lost the race to another writer: back off a little, with jitter, so a crowd of writers spreads out.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
    throw DomainError.conflict(
      'multiple_requests',
      'Too many concurrent changes to this customer',
      'Retry the request.',
    );
  }

  private async insert(input: CustomerInput): Promise<CustomerDoc> {
    const { doc, stored, raised } = newCustomerDocument(input, await this.activeSegments(), this.clock());
    await this.assertMetadata(doc.metadata);
    await this.models.Customer.create(stored);
    if (raised.length > 0) this.onEvents(doc._id);
    return doc;
  }

  /** Refuses metadata that breaks the customer metadata schema, naming each field; public for bulk writers. */
  async assertMetadata(metadata: Record<string, unknown>): Promise<void> {
    const schema = await this.models.MetadataSchema.findById('customer').lean();
    const errors = schema ? checkMetadata(schema, metadata) : [];
    if (errors.length > 0) {
      throw DomainError.invalid(
        'invalid_metadata',
        'Metadata does not match the customer metadata schema',
        errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
        { errors },
      );
    }
  }

  /** Segments a write re-evaluates; public so a bulk import loads them once per batch. */
  activeSegments(): Promise<SegmentDoc[]> {
    return this.models.Segment.find({ deleted_at: { $exists: false } }).lean();
  }

  private segmentsById(ids: string[]): Promise<SegmentDoc[]> {
    return ids.length === 0
      ? Promise.resolve([])
      : this.models.Segment.find({ _id: { $in: ids }, type: 'auto-update' }).lean();
  }
}

/**
 * A new customer as stored (`stored` carries the entered events in its outbox) — what
 * `insert` creates; exported so the bulk import inserts many at once in the same shape.
 */
export function newCustomerDocument(
  input: CustomerInput,
  segments: SegmentDoc[],
  now: Date,
  _id = newId('cust'),
): { doc: CustomerDoc; stored: CustomerDoc; raised: PendingEvent[] } {
  const fields = fieldsOf(input, undefined);
  const draft = {
    _id,
    source_id_key: _id,
    metadata: {},
    summary: {},
    loyalty: {},
    consents: {},
    unsubscribed_channels: [],
    segments: [],
    version: 0,
    created_at: now,
    updated_at: now,
    ...dropNulls(fields),
  } as CustomerDoc;
  draft.source_id_key = draft.source_id ?? _id;
  const membership = evaluateMembership([], toCustomerJson(draft), segments, now);
  draft.segments = membership.segments;
  const raised = segmentEvents(draft, membership.entered, [], now);
  return {
    doc: draft,
    stored: { ...draft, ...(raised.length ? { _outbox: raised, outbox_pending: true } : {}) },
    raised,
  };
}

function segmentEvents(customer: CustomerDoc, entered: SegmentDoc[], left: SegmentDoc[], now: Date): PendingEvent[] {
  const event = (type: string, segment: SegmentDoc) =>
    raiseEvent(
      type,
      { type: 'customer', id: customer._id, version: customer.version },
      { customer: customerRef(customer), segment: { id: segment._id, name: segment.name, object: 'segment' } },
      customer._id,
      now,
    );
  return [
    ...entered.map((s) => event('customer.segment.entered', s)),
    ...left.map((s) => event('customer.segment.left', s)),
  ];
}

/**
 * The stored fields an input sets; `null` means "clear". Metadata merges key by key into
 * the current metadata (a null value removes the key), so two clients updating different
 * keys do not erase each other's.
 */
function fieldsOf(input: CustomerInput, current: CustomerDoc | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of ['source_id', 'name', 'email', 'phone', 'description', 'address'] as const) {
    if (input[key] !== undefined) out[key] = input[key];
  }
  const birthdate = input.birthdate !== undefined ? input.birthdate : input.birthday;
  if (birthdate !== undefined) out.birthdate = birthdate;
  if (input.metadata === null) out.metadata = {};
  else if (input.metadata) out.metadata = dropNulls({ ...current?.metadata, ...input.metadata });
  return out;
}

function dropNulls<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

function splitNulls(fields: Record<string, unknown>): { unset: string[] } & Record<string, unknown> {
  const unset = Object.entries(fields)
    .filter(([, v]) => v === null || v === undefined)
    .map(([k]) => k);
  return { ...dropNulls(fields), unset };
}
