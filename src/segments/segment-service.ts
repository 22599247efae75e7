import type { Client } from '@temporalio/client';
import {
  SEGMENT_SYNC_WORKFLOW,
  segmentSyncWorkflowId,
  type SegmentSyncWorkflow,
} from '../../workflows/contracts/segment-sync';
import { DomainError } from '../errors';
import { newId } from '../ids';
import type { Models } from '../models';
import type { SegmentDoc, SegmentType } from '../models/segment';
import { reconcile, startOnce, type WriteThenStart } from '../temporal/reconciler';
import { validateSegmentFilter } from './filter';
import { countFilterMatches, type FilterCount } from './filter-count';
import type { SegmentFilter } from './filter-types';

export interface SegmentInput {
  name: string;
  type: SegmentType;
  customers?: string[];
  filter?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}

/** Segments: the document is written first, then its sync workflow started; the reconciler starts any a crash missed. */
export class SegmentService {
  /** A segment still `syncing` has a sync run of its current revision. */
  private readonly syncs: WriteThenStart<Pick<SegmentDoc, '_id' | 'revision'>> = {
    stuck: (before) =>
      this.models.Segment.find({ sync_status: 'syncing', updated_at: { $lt: before } }, { _id: 1, revision: 1 }).lean(),
    start: (segment) => this.startSync(segment),
  };

  constructor(
    private readonly models: Models,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  async get(id: string): Promise<SegmentDoc> {
    const segment = await this.models.Segment.findById(id).lean();
    if (!segment || segment.deleted_at) throw DomainError.notFound('segment', id);
    return segment;
  }

  async create(input: SegmentInput): Promise<SegmentDoc> {
    const fields = await this.checked(input.type, input);
    const now = new Date();
    const segment: SegmentDoc = {
      _id: newId('seg'),
      name: input.name,
      type: input.type,
      ...fields,
      metadata: input.metadata,
      revision: 1,
      sync_status: 'syncing',
      size: 0,
      created_at: now,
      updated_at: now,
    };
    await this.models.Segment.create(segment);
    await this.startSync(segment);
    return segment;
  }

  /** Replaces the name, filter (or static list) and metadata given; a new revision is synced. */
  async update(id: string, input: Partial<Omit<SegmentInput, 'type'>>): Promise<SegmentDoc> {
    const current = await this.get(id);
    const fields =
      input.filter !== undefined || input.customers !== undefined ? await this.checked(current.type, input) : {};
    const set = {
      ...fields,
      ...(input.name ? { name: input.name } : {}),
      ...(input.metadata ? { metadata: input.metadata } : {}),
      sync_status: 'syncing',
      updated_at: new Date(),
    };
    const updated = await this.models.Segment.findOneAndUpdate(
      { _id: id, deleted_at: { $exists: false } },
      { $set: set, $inc: { revision: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw DomainError.notFound('segment', id);
    await this.startSync(updated);
    return updated;
  }

  /** Hides the segment at once; its sync run removes every membership, then the document. */
  async delete(id: string): Promise<void> {
    await this.get(id);
    const updated = await this.models.Segment.findOneAndUpdate(
      { _id: id },
      { $set: { deleted_at: new Date(), sync_status: 'syncing' }, $inc: { revision: 1 } },
      { returnDocument: 'after' },
    ).lean();
    if (updated) await this.startSync(updated);
  }

  /** Starts the sync run of a segment's current revision; a no-op if it already runs. */
  startSync(segment: Pick<SegmentDoc, '_id' | 'revision'>): Promise<boolean> {
    return startOnce<SegmentSyncWorkflow>(this.temporal, SEGMENT_SYNC_WORKFLOW, {
      workflowId: segmentSyncWorkflowId(segment._id, segment.revision),
      taskQueue: this.taskQueue,
      args: [{ segmentId: segment._id, revision: segment.revision }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }

  /** Starts sync runs that a crash between the write and the start left unstarted. */
  reconcile(olderThanMs = 10_000): Promise<number> {
    return reconcile(this.temporal, this.syncs, olderThanMs);
  }

  private async checked(
    type: SegmentType,
    input: Pick<SegmentInput, 'filter' | 'customers'>,
  ): Promise<Pick<SegmentDoc, 'filter' | 'customers'>> {
    if (type === 'static') {
      if (!input.customers?.length)
        throw DomainError.invalid(
          'invalid_segment',
          'Invalid segment',
          'customers: a static segment needs at least one customer id',
        );
      if (input.filter)
        throw DomainError.invalid(
          'invalid_segment',
          'Invalid segment',
          'filter: a static segment has a fixed list of customers, not a filter',
        );
      return { customers: await this.resolveCustomers(input.customers) };
    }
    if (!input.filter)
      throw DomainError.invalid('invalid_segment', 'Invalid segment', `filter: a ${type} segment needs a filter`);
    if (input.customers)
      throw DomainError.invalid(
        'invalid_segment',
        'Invalid segment',
        `customers: a ${type} segment is defined by its filter`,
      );
    this.parsedFilter(input.filter);
    return { filter: input.filter };
  }

  /** How many customers a filter would match now (at most `limit` read), without saving anything. */
  async countMatching(filter: unknown, limit: number): Promise<FilterCount> {
    return countFilterMatches(this.models, this.parsedFilter(filter), limit);
  }

  private parsedFilter(filter: unknown): SegmentFilter {
    const parsed = validateSegmentFilter(filter);
    if (!parsed.ok) {
      const errors = parsed.errors.map((e) => ({ field: `filter.${e.field}`, reason: e.reason }));
      throw DomainError.invalid(
        'invalid_filter',
        'Invalid segment filter',
        errors.map((e) => `${e.field}: ${e.reason}`).join('; '),
        { errors },
      );
    }
    return parsed.filter;
  }

  /** Static lists accept ids or source_ids, like every customer reference; all must exist. */
  private async resolveCustomers(refs: string[]): Promise<string[]> {
    const unique = [...new Set(refs)];
    const found = await this.models.Customer.find(
      { $or: [{ _id: { $in: unique } }, { source_id_key: { $in: unique } }], deleted_at: { $exists: false } },
      { _id: 1, source_id: 1 },
    ).lean();
    const known = new Set(found.flatMap((c) => [c._id, c.source_id]));
    const missing = unique.filter((r) => !known.has(r));
    if (missing.length)
      throw DomainError.invalid(
        'invalid_segment',
        'Invalid segment',
        `customers: unknown customer(s) ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`,
      );
    return [...new Set(found.map((c) => c._id))];
  }
}
