import type { Models } from '../models';
import type { CustomerDoc } from '../models/customer';
import { escapeHtml } from '../templates/render';
import { discountText } from '../templates/message-variables';
import { codeImageUrl } from '../templates/signed-links';

/** A page shows at most this many codes, newest first. */
const MAX_CODES = 100;

/**
 * The customer cockpit: the codes the customer holds and can still use (active, not expired),
 * each with its QR image, its balance (gift credits, loyalty points) and the customer's points.
 * Reads only the vouchers held by this customer, so the page shows nothing of anyone else.
 */
export async function cockpitHtml(
  models: Models,
  customer: CustomerDoc,
  signingKey: string,
  now: Date = new Date(),
): Promise<string> {
  const vouchers = await models.Voucher.find(
    {
      holder_id: customer._id,
      active: true,
      $or: [{ expiration_date: null }, { expiration_date: { $exists: false } }, { expiration_date: { $gt: now } }],
    },
    { code: 1, type: 1, discount: 1, gift: 1, loyalty_card: 1, expiration_date: 1 },
  )
    .sort({ created_at: -1 })
    .limit(MAX_CODES)
    .lean();
  // Relative image links: the page is served from the same origin as the images.
  const links = { publicUrl: '', signingKey };
  const points = typeof customer.loyalty?.points === 'number' ? customer.loyalty.points : 0;
  const rows = vouchers.map((v) => {
    const gift = v.gift as { balance?: number } | undefined;
    const card = v.loyalty_card as { balance?: number } | undefined;
    const what =
      v.type === 'GIFT_VOUCHER'
        ? `Balance: ${((gift?.balance ?? 0) / 100).toFixed(2)}`
        : v.type === 'LOYALTY_CARD'
          ? `Points: ${card?.balance ?? 0}`
          : `Discount: ${discountText(v.discount) ?? '—'}`;
    const until = v.expiration_date
      ? `<div style="color:#777;font-size:13px">Valid until ${escapeHtml(new Date(v.expiration_date).toISOString().slice(0, 10))}</div>`
      : '';
    return (
      `<li style="list-style:none;border:1px solid #ddd;border-radius:8px;padding:12px;margin:12px 0;display:flex;gap:16px;align-items:center">` +
      `<img src="${escapeHtml(codeImageUrl(links, v.code, 'qr'))}" alt="QR code of ${escapeHtml(v.code)}" width="96" height="96">` +
      `<div><div class="code" style="font-family:monospace;font-size:18px">${escapeHtml(v.code)}</div><div class="value">${escapeHtml(what)}</div>${until}</div></li>`
    );
  });
  const title = customer.name ? `${customer.name}, your codes` : 'Your codes';
  return (
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title></head>` +
    `<body style="font-family:Helvetica,Arial,sans-serif;max-width:560px;margin:40px auto;padding:0 20px;color:#333"><h1 style="font-size:22px">${escapeHtml(title)}</h1>` +
    `<p class="points">Loyalty points: <strong>${points}</strong></p>` +
    (rows.length ? `<ul style="padding:0">${rows.join('')}</ul>` : '<p>You have no active codes right now.</p>') +
    `</body></html>`
  );
}
