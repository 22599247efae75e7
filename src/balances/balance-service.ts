import { customerRef } from '../customers/customer-json';
import { raiseEvent, withOutbox } from '../events/outbox';
import { DomainError } from '../errors';
import type { Models } from '../models';
import type { VoucherDoc } from '../models/voucher';

export interface BalanceInput {
  /** Cents for a gift card, points for a loyalty card; negative removes. */
  amount: number;
  /** Idempotency key: an operation with a source_id already applied to this voucher is not applied again. */
  source_id?: string;
  reason?: string;
}

export interface BalanceResult {
  amount: number;
  total: number;
  balance: number;
  type: 'gift_voucher' | 'loyalty_card';
  operation_type: 'MANUAL';
  object: 'balance';
  related_object: { type: 'voucher'; id: string };
}

/** Which subdocument a voucher type keeps its balance in, and its Voucherify names. */
const KINDS = {
  GIFT_VOUCHER: {
    field: 'gift',
    total: 'amount',
    type: 'gift_voucher',
    exceeded: 'gift_amount_exceeded',
    event: 'customer.voucher.gift.balance_added',
  },
  LOYALTY_CARD: {
    field: 'loyalty_card',
    total: 'points',
    type: 'loyalty_card',
    exceeded: 'loyalty_card_points_exceeded',
    event: 'customer.voucher.loyalty_card.points_added',
  },
} as const;

/** Finds a voucher by code or id. */
export async function findVoucher(models: Models, codeOrId: string): Promise<VoucherDoc> {
  const voucher =
    (await models.Voucher.findOne({ code: codeOrId }).lean()) ?? (await models.Voucher.findById(codeOrId).lean());
  if (!voucher) throw DomainError.notFound('voucher', codeOrId);
  return voucher;
}

/**
 * Gift-card credits and loyalty-card points. Every change is ONE conditional `$inc` on the
 * voucher: the condition keeps the balance at or above 0 and (with a source_id) refuses a
 * second application; the events ride in the same update, in the voucher's outbox.
 */
export class BalanceService {
  constructor(
    private readonly models: Models,
    private readonly onEvents: (voucherId: string) => void = () => undefined,
  ) {}

  async add(codeOrId: string, input: BalanceInput): Promise<BalanceResult> {
    const voucher = await findVoucher(this.models, codeOrId);
    const kind = KINDS[voucher.type as keyof typeof KINDS];
    if (!kind)
      throw DomainError.invalid(
        'invalid_voucher_type',
        'Voucher has no balance',
        `voucher ${voucher.code} is a ${voucher.type}; only GIFT_VOUCHER and LOYALTY_CARD have a balance`,
      );
    const balancePath = `${kind.field}.balance`;
    const totalPath = `${kind.field}.${kind.total}`;

    const filter: Record<string, unknown> = { _id: voucher._id };
    if (input.amount < 0) filter[balancePath] = { $gte: -input.amount };
    if (input.source_id !== undefined) filter.balance_source_ids = { $ne: input.source_id };

    const now = new Date();
    const holder = voucher.holder_id ? await this.models.Customer.findById(voucher.holder_id).lean() : null;
    const currentBalance = Number((voucher[kind.field] as Record<string, unknown> | undefined)?.balance ?? 0);
    const events =
      input.amount > 0
        ? [
            raiseEvent(
              kind.event,
              { type: 'voucher', id: voucher._id },
              {
                ...(holder ? { customer: customerRef(holder) } : {}),
                voucher: {
                  id: voucher._id,
                  code: voucher.code,
                  type: voucher.type,
                  campaign_id: voucher.campaign_id ?? null,
                  object: 'voucher',
                },
                balance: {
                  amount: input.amount,
                  operation_type: 'MANUAL',
                  ...(input.source_id ? { source_id: input.source_id } : {}),
                  ...(input.reason ? { reason: input.reason } : {}),
                },
              },
              voucher.holder_id,
              now,
            ),
          ]
        : [];
    const update = withOutbox<VoucherDoc>(
      {
        $inc: { [balancePath]: input.amount, [totalPath]: input.amount },
        ...(input.source_id !== undefined ? { $push: { balance_source_ids: input.source_id } } : {}),
        // A removal raises no event but still changes the holder's summary: the relay's follow-up (run for a pending flag) refreshes it.
        ...(events.length === 0 ? { $set: { outbox_pending: true } } : {}),
      },
      events,
    );
    const updated = await this.models.Voucher.findOneAndUpdate(filter, update, { returnDocument: 'after' }).lean();
    if (updated) {
      this.onEvents(voucher._id);
      return this.result(updated, kind, input.amount);
    }

    // Refused: tell an already applied source_id (answer as if applied now) from an overdraw.
    const fresh = await this.models.Voucher.findById(voucher._id).lean();
    if (!fresh) throw DomainError.notFound('voucher', codeOrId);
    if (input.source_id !== undefined && fresh.balance_source_ids?.includes(input.source_id))
      return this.result(fresh, kind, input.amount);
    const balance = Number((fresh[kind.field] as Record<string, unknown> | undefined)?.balance ?? currentBalance);
    throw DomainError.invalid(
      kind.exceeded,
      kind.field === 'gift' ? 'Gift amount exceeded' : 'Loyalty card points exceeded',
      `cannot remove ${-input.amount} from voucher ${voucher.code}: balance is ${balance}`,
    );
  }

  private result(v: VoucherDoc, kind: (typeof KINDS)[keyof typeof KINDS], amount: number): BalanceResult {
    const sub = (v[kind.field] ?? {}) as Record<string, unknown>;
    return {
      amount,
      total: Number(sub[kind.total] ?? 0),
      balance: Number(sub.balance ?? 0),
      type: kind.type,
      operation_type: 'MANUAL',
      object: 'balance',
      related_object: { type: 'voucher', id: v._id },
    };
  }
}
