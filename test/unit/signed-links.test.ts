import {
  cockpitUrl,
  codeImageUrl,
  sign,
  unsubscribeUrl,
  verifyCockpitSignature,
  verifyCodeSignature,
  verifyUnsubscribeSignature,
} from '../../src/templates/signed-links';
import { messageVariables } from '../../src/templates/message-variables';
import { customerDoc } from '../helpers/customer-doc';

const links = { publicUrl: 'https://promo.example.com/', signingKey: 'k'.repeat(64) };

function sigOf(url: string): string {
  return new URL(url).searchParams.get('sig')!;
}

describe('signed public links', () => {
  it('builds code image URLs whose signature verifies for that code only', () => {
    const qr = codeImageUrl(links, 'SPRING 42/x', 'qr');
    expect(qr).toMatch(/^https:\/\/promo\.example\.com\/public\/codes\/SPRING%2042%2Fx\/qr\.png\?sig=[\w-]{32}$/);
    expect(codeImageUrl(links, 'SPRING 42/x', 'barcode')).toContain('/barcode.png?sig=');
    expect(verifyCodeSignature(links.signingKey, 'SPRING 42/x', sigOf(qr))).toBe(true);
    expect(verifyCodeSignature(links.signingKey, 'SPRING 43/x', sigOf(qr))).toBe(false);
  });

  it('rejects tampered, truncated, missing and foreign-key signatures', () => {
    const sig = sigOf(codeImageUrl(links, 'CODE-1', 'qr'));
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifyCodeSignature(links.signingKey, 'CODE-1', flipped)).toBe(false);
    expect(verifyCodeSignature(links.signingKey, 'CODE-1', sig.slice(0, 31))).toBe(false);
    expect(verifyCodeSignature(links.signingKey, 'CODE-1', undefined)).toBe(false);
    expect(verifyCodeSignature(links.signingKey, 'CODE-1', ['x'])).toBe(false);
    expect(verifyCodeSignature('another key', 'CODE-1', sig)).toBe(false);
  });

  it('signs cockpit links for one customer until their expiry, configurable per deployment', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const url = new URL(cockpitUrl({ ...links, cockpitTtlSeconds: 3600 }, 'cust_1', now));
    expect(url.pathname).toBe('/public/cockpit');
    const exp = url.searchParams.get('exp')!;
    expect(Number(exp)).toBe(now.getTime() / 1000 + 3600);
    const sig = url.searchParams.get('sig');
    expect(verifyCockpitSignature(links.signingKey, 'cust_1', exp, sig, now)).toBe(true);
    expect(verifyCockpitSignature(links.signingKey, 'cust_2', exp, sig, now)).toBe(false);
    expect(verifyCockpitSignature(links.signingKey, 'cust_1', String(Number(exp) + 1), sig, now)).toBe(false);
    expect(verifyCockpitSignature(links.signingKey, 'cust_1', exp, sig, new Date(now.getTime() + 3600_000))).toBe(
      false,
    );
    expect(verifyCockpitSignature(links.signingKey, 'cust_1', '1e12', sig, now)).toBe(false);
    // Unsubscribe and code signatures are no cockpit signatures.
    expect(
      verifyCockpitSignature(links.signingKey, 'cust_1', exp, sigOf(unsubscribeUrl(links, 'cust_1', exp)), now),
    ).toBe(false);
    expect(Number(new URL(cockpitUrl(links, 'cust_1', now)).searchParams.get('exp'))).toBe(
      now.getTime() / 1000 + 30 * 86_400,
    );
  });

  it('signs unsubscribe links for one customer and channel', () => {
    const url = new URL(unsubscribeUrl(links, 'cust_1', 'email'));
    expect(url.pathname).toBe('/public/unsubscribe');
    expect(url.searchParams.get('c')).toBe('cust_1');
    expect(url.searchParams.get('ch')).toBe('email');
    const sig = url.searchParams.get('sig')!;
    expect(verifyUnsubscribeSignature(links.signingKey, 'cust_1', 'email', sig)).toBe(true);
    expect(verifyUnsubscribeSignature(links.signingKey, 'cust_2', 'email', sig)).toBe(false);
    expect(verifyUnsubscribeSignature(links.signingKey, 'cust_1', 'all', sig)).toBe(false);
  });

  it('keeps purposes apart: a code signature is no unsubscribe signature', () => {
    // A code named like an unsubscribe target must not yield a usable unsubscribe signature.
    const codeSig = sign(links.signingKey, 'code', 'cust_1');
    expect(verifyUnsubscribeSignature(links.signingKey, 'cust_1', '', codeSig)).toBe(false);
    expect(verifyCodeSignature(links.signingKey, 'cust_1', sign(links.signingKey, 'unsubscribe', 'cust_1'))).toBe(
      false,
    );
    expect(verifyCodeSignature(links.signingKey, 'cust_1', codeSig)).toBe(true);
  });

  it('gives messages the QR, barcode and unsubscribe URLs when links are configured', () => {
    const vars = messageVariables({
      customer: customerDoc({ _id: 'cust_9' }),
      distribution: { id: 'd', name: 'D' },
      voucher: { code: 'C-9' },
      links,
      unsubscribeChannel: 'sms',
    });
    const voucher = vars.voucher as Record<string, string>;
    expect(verifyCodeSignature(links.signingKey, 'C-9', sigOf(voucher.qr_url!))).toBe(true);
    expect(voucher.barcode_url).toContain('/public/codes/C-9/barcode.png?sig=');
    const unsubscribe = new URL(vars.unsubscribe_url as string);
    expect([unsubscribe.searchParams.get('c'), unsubscribe.searchParams.get('ch')]).toEqual(['cust_9', 'sms']);
  });
});
