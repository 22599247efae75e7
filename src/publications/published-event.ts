import { customerRef } from '../customers/customer-json';
import { raiseEvent, type PendingEvent } from '../events/outbox';
import type { CampaignDoc } from '../models/campaign';
import type { CustomerDoc } from '../models/customer';
import type { VoucherDoc } from '../models/voucher';

/** The `voucher.published` event a publication raises when it gets its code. */
export function publishedEvent(
  publicationId: string,
  voucher: VoucherDoc,
  customer: CustomerDoc,
  campaign: CampaignDoc,
  now: Date,
): PendingEvent {
  return raiseEvent(
    'voucher.published',
    { type: 'publication', id: publicationId },
    {
      customer: customerRef(customer),
      voucher: { id: voucher._id, code: voucher.code, object: 'voucher' },
      campaign: { id: campaign._id, name: campaign.name, object: 'campaign' },
      publication: { id: publicationId, object: 'publication' },
    },
    customer._id,
    now,
  );
}
