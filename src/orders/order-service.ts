import { isDeepStrictEqual } from 'node:util';
import { onlyDuplicateKeys } from '../db/duplicate-key';
import type { UpdateQuery } from 'mongoose';
import type { CustomerService } from '../customers/customer-service';
import { withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import type { OrderDoc } from '../models/order';
import { orderAmounts, storedItems } from './order-amounts';
import { resolveOrderCustomer } from './order-customer';
import { orderEvents } from './order-events';
import type { OrderInput } from './order-input';

const MAX_ATTEMPTS = 20;

/** The fields a write may change; comparing them tells a real change from a repeated request. */
const CONTENT_FIELDS = [
  'source_id',
  'status',
  'amount',
  'initial_amount',
  'discount_amount',
  'items_discount_amount',
  'total_discount_amount',
  'total_amount',
  'items',
  'metadata',
  'customer_id',
] as const satisfies ReadonlyArray<keyof OrderDoc>;

function tooManyWriters(): DomainError {
  return DomainError.conflict('multiple_requests', 'Too many concurrent changes to this order', 'Retry the request.');
}

/** Metadata merges key by key; a null value removes the key, a null metadata clears it. */
function mergedMetadata(current: Record<string, unknown>, input: OrderInput['metadata']): Record<string, unknown> {
  if (input === undefined) return current;
  if (input === null) return {};
  const merged: Record<string, unknown> = { ...current, ...input };
  for (const [key, value] of Object.entries(input)) if (value === null) delete merged[key];
  return merged;
}

/**
 * Orders: each write stores the change and its `customer.order.*` events in one update
 * (see src/events/outbox.ts). Concurrent writes to one order are serialised by its
 * `version`, so two requests cannot both see the old status and both raise `paid`.
 */
export class OrderService {
  constructor(
    private readonly models: Models,
    private readonly customers: CustomerService,
    /** Called after a write that raised events, to relay them (and refresh summaries) soon. */
    private readonly onEvents: (orderId: string) => void = () => undefined,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async find(idOrSourceId: string): Promise<OrderDoc | null> {
    const { Order } = this.models;
    return (await Order.findById(idOrSourceId).lean()) ?? (await Order.findOne({ source_id_key: idOrSourceId }).lean());
  }

  async get(idOrSourceId: string): Promise<OrderDoc> {
    const doc = await this.find(idOrSourceId);
    if (!doc) throw DomainError.notFound('order', idOrSourceId);
    return doc;
  }

  /** POST /orders: creates, or updates the order with this id or source_id (Voucherify's upsert). */
  async upsert(input: OrderInput): Promise<OrderDoc> {
    const customer = await resolveOrderCustomer(this.customers, input);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Most orders posted without an id are new: the first attempt inserts without looking, and the unique source_id_key tells an existing one.
      const existing = attempt === 0 && !input.id ? null : await this.named(input);
      if (existing) return this.change(existing._id, input, customer);
      if (input.id) throw DomainError.notFound('order', input.id);
      try {
        return await this.insert(input, customer);
      } catch (err) {
        // An order with this source_id exists, or another request created it meanwhile: update that one instead.
        if (!onlyDuplicateKeys(err)) throw err;
      }
    }
    throw tooManyWriters();
  }

  /** The order an upsert names, by id or else by source_id. */
  private async named(input: OrderInput): Promise<OrderDoc | null> {
    return (
      (input.id && (await this.find(input.id))) ||
      (input.source_id && (await this.models.Order.findOne({ source_id_key: input.source_id }).lean())) ||
      null
    );
  }

  /** PUT /orders/:id: absent fields are kept. */
  async update(idOrSourceId: string, input: OrderInput): Promise<OrderDoc> {
    const current = await this.get(idOrSourceId);
    if (input.id !== undefined && input.id !== current._id) {
      throw DomainError.invalid(
        'invalid_order',
        'Invalid order',
        `id: ${input.id} is not the id of order ${idOrSourceId}`,
        { errors: [{ field: 'id', reason: 'does not match the order in the path' }] },
      );
    }
    const customer = await resolveOrderCustomer(this.customers, input);
    return this.change(current._id, input, customer);
  }

  private async insert(input: OrderInput, customer: CustomerDoc | undefined): Promise<OrderDoc> {
    const now = this.clock();
    const _id = newId('ord');
    const items = storedItems(input.items ?? []);
    const doc: OrderDoc = {
      _id,
      ...(input.source_id ? { source_id: input.source_id } : {}),
      source_id_key: input.source_id ?? _id,
      status: input.status ?? 'CREATED',
      ...definedOnly(orderAmounts(undefined, input, items)),
      items,
      metadata: mergedMetadata({}, input.metadata),
      ...(customer ? { customer_id: customer._id } : {}),
      summary_customer_ids: customer ? [customer._id] : [],
      version: 0,
      created_at: now,
      updated_at: now,
    };
    const events = orderEvents(undefined, doc, customer, now);
    await this.models.Order.create([{ ...doc, _outbox: events, outbox_pending: true }]);
    this.onEvents(_id);
    return doc;
  }

  /** Applies a write to an existing order; a write that changes nothing stores nothing and raises nothing. */
  private async change(id: string, input: OrderInput, named: CustomerDoc | undefined): Promise<OrderDoc> {
    const { Order } = this.models;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const current = await Order.findById(id).lean();
      if (!current) throw DomainError.notFound('order', id);
      const now = this.clock();
      const items = input.items !== undefined ? storedItems(input.items) : current.items;
      const next: OrderDoc = {
        ...current,
        ...(input.source_id ? { source_id: input.source_id, source_id_key: input.source_id } : {}),
        status: input.status ?? current.status,
        ...orderAmounts(current, input, items),
        items,
        metadata: mergedMetadata(current.metadata ?? {}, input.metadata),
        customer_id: named?._id ?? current.customer_id,
        updated_at: now,
      };
      if (CONTENT_FIELDS.every((field) => isDeepStrictEqual(current[field], next[field]))) return current;
      next.summary_customer_ids = [
        ...new Set([...(current.summary_customer_ids ?? []), ...(next.customer_id ? [next.customer_id] : [])]),
      ];
      const customer =
        named ?? (next.customer_id ? ((await this.customers.find(next.customer_id)) ?? undefined) : undefined);
      const events = orderEvents(current, next, customer, now);
      const fields: Record<string, unknown> = {
        source_id_key: next.source_id_key,
        summary_customer_ids: next.summary_customer_ids,
        updated_at: now,
      };
      for (const field of CONTENT_FIELDS) fields[field] = next[field];
      const unset = Object.entries(fields)
        .filter(([, v]) => v === undefined)
        .map(([k]) => k);
      const update: UpdateQuery<OrderDoc> = withOutbox(
        {
          $set: definedOnly(fields),
          ...(unset.length ? { $unset: Object.fromEntries(unset.map((k) => [k, 1])) } : {}),
          $inc: { version: 1 },
        },
        events,
      );
      try {
        const { matchedCount } = await Order.updateOne({ _id: id, version: current.version }, update);
        if (matchedCount === 1) {
          this.onEvents(id);
          return { ...next, version: current.version + 1 };
        }
      } catch (err) {
        if (onlyDuplicateKeys(err))
          throw DomainError.conflict(
            'duplicate_found',
            'Duplicate order',
            `source_id: another order already has source_id ${input.source_id}`,
          );
        throw err;
      }
    }
    throw tooManyWriters();
  }
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}
