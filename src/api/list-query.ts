import { z } from 'zod';

/** Voucherify's paging: 1-based pages of 1–100 items (default 10). */
export const pagingQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(10),
  page: z.coerce.number().int().min(1).max(1000).default(1),
};

/** `created_at[before]=…&created_at[after]=…` as the SDK sends them (qs bracket notation). */
export const dateRangeQuery = z
  .strictObject({
    before: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
    after: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  })
  .optional();

export function dateRangeFilter(range: z.infer<typeof dateRangeQuery>): Record<string, Date> | undefined {
  if (!range || (!range.before && !range.after)) return undefined;
  return {
    ...(range.before ? { $lt: new Date(range.before) } : {}),
    ...(range.after ? { $gt: new Date(range.after) } : {}),
  };
}

/** `order=-created_at` -> `{ created_at: -1 }`, with `_id` as the tie-breaker so pages never overlap. */
export function sortOf(order: string): Record<string, 1 | -1> {
  const field = order.replace(/^-/, '');
  const direction = order.startsWith('-') ? -1 : 1;
  return { [field]: direction, _id: direction };
}

/** Escapes a user's text for use inside a $regex, so a search term is matched literally (no ReDoS, no injection). */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
