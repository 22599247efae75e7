/** Voucherify's lists name their array by `data_ref` (`data`, `customers`, `campaigns`, …). */
export interface AnyList {
  object: 'list';
  data_ref: string;
  total: number;
  has_more?: boolean;
  [key: string]: unknown;
}

export function itemsOf<T>(list: AnyList | undefined): T[] {
  if (!list) return [];
  const items = list[list.data_ref];
  return Array.isArray(items) ? (items as T[]) : [];
}
