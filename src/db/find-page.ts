import type { Model, ProjectionType, QueryFilter, SortOrder } from 'mongoose';

export interface PageOptions {
  sort: Record<string, SortOrder>;
  limit: number;
  /** 1-based page; ignored when `skip` is given (cursor paging). */
  page?: number;
  skip?: number;
  projection?: ProjectionType<unknown>;
}

/**
 * One page of a list endpoint: the documents, the filter's total, and whether more
 * follow (one extra document is read to know, instead of comparing against the total).
 */
export async function findPage<T>(
  model: Model<T>,
  filter: QueryFilter<T>,
  options: PageOptions,
): Promise<{ docs: T[]; total: number; has_more: boolean }> {
  const skip = options.skip ?? ((options.page ?? 1) - 1) * options.limit;
  const [docs, total] = await Promise.all([
    model
      .find(filter, options.projection)
      .sort(options.sort)
      .skip(skip)
      .limit(options.limit + 1)
      .lean<T[]>(),
    model.countDocuments(filter),
  ]);
  return { docs: docs.slice(0, options.limit), total, has_more: docs.length > options.limit };
}
