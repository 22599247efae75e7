import type { Channel } from '../../src/channels/channel';
import { decideChannel, hasConsents } from '../../src/distributions/consent-check';
import type { CustomerDoc } from '../../src/models/customer';
import { customerDoc } from '../helpers/customer-doc';

const email: Channel = {
  type: 'email',
  unsubscribeKey: 'email',
  recipient: (c) => (c.email ? { to: c.email } : { skip: 'missing_email' }),
  validateSettings: () => [],
  send: () => Promise.resolve({ status: 'sent' }),
};

const customer = (over: Partial<CustomerDoc> = {}): CustomerDoc => customerDoc({ email: 'a@example.com', ...over });

const granted = (ids: string[]): CustomerDoc['consents'] =>
  Object.fromEntries(ids.map((id) => [id, { granted: true, updated_at: new Date() }]));

describe('decideChannel', () => {
  const off = { verification: false, required: ['cnst_news'] };
  const on = { verification: true, required: ['cnst_news', 'cnst_sms'] };

  it('sends to the channel recipient when consents are granted', () => {
    expect(decideChannel(customer({ consents: granted(['cnst_news', 'cnst_sms']) }), on, email, {})).toEqual({
      send: true,
      to: 'a@example.com',
    });
  });

  it('skips an unsubscribed channel even with verification off', () => {
    expect(decideChannel(customer({ unsubscribed_channels: ['email'] }), off, email, {})).toEqual({
      send: false,
      status: 'skipped',
      reason: 'unsubscribed',
    });
  });

  it('treats an unsubscribe from all as an unsubscribe from this channel', () => {
    expect(decideChannel(customer({ unsubscribed_channels: ['all'] }), off, email, {})).toMatchObject({
      send: false,
      reason: 'unsubscribed',
    });
  });

  it('ignores unsubscribes from other channels', () => {
    expect(decideChannel(customer({ unsubscribed_channels: ['sms'] }), off, email, {})).toEqual({
      send: true,
      to: 'a@example.com',
    });
  });

  it('skips for missing consent when verification is on and any required consent is not granted', () => {
    const partly = customer({
      consents: { ...granted(['cnst_news']), cnst_sms: { granted: false, updated_at: new Date() } },
    });
    expect(decideChannel(partly, on, email, {})).toEqual({ send: false, status: 'skipped', reason: 'missing_consent' });
    expect(decideChannel(customer(), on, email, {})).toMatchObject({ reason: 'missing_consent' });
  });

  it('does not check consents when verification is off', () => {
    expect(decideChannel(customer(), off, email, {})).toEqual({ send: true, to: 'a@example.com' });
  });

  it('reports the unsubscribe before a missing consent or contact', () => {
    expect(
      decideChannel(customer({ unsubscribed_channels: ['email'], email: undefined }), on, email, {}),
    ).toMatchObject({ reason: 'unsubscribed' });
  });

  it('skips with the reason the channel gives when the customer has no contact', () => {
    expect(decideChannel(customer({ email: undefined }), off, email, {})).toEqual({
      send: false,
      status: 'skipped',
      reason: 'missing_email',
    });
  });

  it('fails an unknown channel type', () => {
    expect(decideChannel(customer(), off, undefined, {})).toEqual({
      send: false,
      status: 'failed',
      reason: 'unknown_channel',
    });
  });
});

describe('hasConsents', () => {
  it('needs every required consent granted, and nothing when none is required', () => {
    expect(hasConsents(granted(['a', 'b']), ['a', 'b'])).toBe(true);
    expect(hasConsents(granted(['a']), ['a', 'b'])).toBe(false);
    expect(hasConsents({}, [])).toBe(true);
  });
});
