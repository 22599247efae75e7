import { z } from 'zod';
import { UNSUBSCRIBE_CHANNELS } from './channels';

export const CONSENT_PREFIX = 'cnst';
export const CONSENT_GROUP_PREFIX = 'cnstgr';

const text = (max: number) => z.string().trim().max(max);

export const consentInput = z.strictObject({
  name: text(200).min(1),
  description: text(2000).optional(),
  category: text(200).optional(),
});

export const consentGroupInput = z.strictObject({
  name: text(200).min(1),
  description: text(2000).optional(),
  consents: z.array(z.string().min(1).max(100)).min(1).max(100),
});

const CONSENT_KEY = /^cnst(gr)?_[A-Za-z0-9]+$/;

/**
 * `PUT /customers/:id/consents`: consent or group id -> granted, plus Voucherify's
 * `unsubscribed` flag (true = opt out of every channel, false = opt back in).
 */
export const customerConsentsInput = z.record(z.string().max(100), z.boolean()).superRefine((body, ctx) => {
  for (const key of Object.keys(body)) {
    if (key !== 'unsubscribed' && !CONSENT_KEY.test(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: 'must be a consent id (cnst_…), a consent group id (cnstgr_…) or "unsubscribed"',
      });
    }
  }
});

export const channelInput = z.strictObject({ channel: z.enum(UNSUBSCRIBE_CHANNELS) });

export type ConsentInput = z.infer<typeof consentInput>;
export type ConsentGroupInput = z.infer<typeof consentGroupInput>;
export type CustomerConsentsInput = z.infer<typeof customerConsentsInput>;
