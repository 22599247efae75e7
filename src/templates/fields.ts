/**
 * The variables a template may use, by root. `metadata.*` takes any key below it. Kept in one
 * place so validation, the editor's help and `messageVariables` agree.
 */
export const TEMPLATE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  customer: [
    'id',
    'source_id',
    'name',
    'email',
    'phone',
    'birthdate',
    'address.city',
    'address.state',
    'address.line_1',
    'address.line_2',
    'address.country',
    'address.postal_code',
    /** Across all the customer's loyalty cards (`loyalty.points` alone is the card in play). */
    'loyalty.points',
    'loyalty.referred_customers',
    'metadata.*',
  ],
  voucher: [
    'code',
    'type',
    'discount',
    'expiration_date',
    'start_date',
    'gift.balance',
    'gift.amount',
    'loyalty_card.balance',
    'loyalty_card.points',
    'qr_url',
    'barcode_url',
  ],
  /** Short forms of `voucher.loyalty_card.*` and `voucher.gift.*`. */
  loyalty: ['balance', 'points'],
  gift: ['balance', 'amount'],
  campaign: ['id', 'name', 'description', 'type', 'start_date', 'expiration_date'],
  order: ['id', 'source_id', 'status', 'amount', 'total_amount', 'currency'],
  reward: ['id', 'name', 'type', 'value'],
  /** The referrer's reward of the referral program in play. */
  referral: ['reward', 'reward_name'],
  balance: ['amount', 'points'],
  promotion: ['id', 'name', 'banner', 'discount_description', 'start_date', 'expiration_date'],
  distribution: ['id', 'name'],
  event: ['type', 'id'],
};

/** Variables without a root: signed public links about the recipient. */
export const TOP_LEVEL_FIELDS: readonly string[] = ['unsubscribe_url', 'cockpit_url'];

/** Every fixed path (`customer.name`, …), wildcards as `customer.metadata.<key>`. */
export function knownPaths(): string[] {
  return [
    ...TOP_LEVEL_FIELDS,
    ...Object.entries(TEMPLATE_FIELDS).flatMap(([root, fields]) =>
      fields.map((f) => `${root}.${f.replace(/\*$/, '<key>')}`),
    ),
  ];
}

/** Whether `path` names a known variable; `customer.metadata` alone is not one (it is an object). */
export function isKnownPath(path: string): boolean {
  const dot = path.indexOf('.');
  if (dot < 0) return TOP_LEVEL_FIELDS.includes(path);
  const fields = TEMPLATE_FIELDS[path.slice(0, dot)];
  if (!fields) return false;
  const rest = path.slice(dot + 1);
  return fields.some((f) =>
    f.endsWith('.*') ? rest.startsWith(f.slice(0, -1)) && rest.length > f.length - 1 : rest === f,
  );
}

/** The closest known path, to suggest for a typo; undefined when nothing is close. */
export function suggestPath(path: string): string | undefined {
  let best: { path: string; distance: number } | undefined;
  for (const candidate of knownPaths()) {
    const d = editDistance(path, candidate);
    if (!best || d < best.distance) best = { path: candidate, distance: d };
  }
  return best && best.distance <= Math.max(2, Math.floor(path.length / 5)) ? best.path : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
