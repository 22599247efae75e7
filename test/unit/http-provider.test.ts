import {
  basicAuth,
  baseUrlProblems,
  contentGroups,
  failureForStatus,
  isTransientStatus,
  normalizePhone,
  parseRateLimitReset,
  redact,
  resultForStatus,
  retryAfterFromHeaders,
} from '../../src/channels/http-provider';
import type { OutgoingMessage } from '../../src/channels/channel';
import { MAX_RETRY_AFTER_MS } from '../../src/channels/retry-after';

const now = new Date('2026-01-01T12:00:00Z');
const epoch = (d: Date): number => Math.floor(d.getTime() / 1000);

describe('resultForStatus', () => {
  it.each([200, 201, 202, 204])('maps %i to sent with the provider id', (status) => {
    expect(resultForStatus('p', status, new Headers(), 'id-1')).toEqual({ status: 'sent', providerMessageId: 'id-1' });
  });

  it.each([408, 425, 429, 500, 502, 503, 504])('maps %i to transient', (status) => {
    expect(resultForStatus('p', status, new Headers(), undefined, 'busy', now)).toEqual({ status: 'transient', error: `p answered ${status}: busy` });
  });

  it.each([400, 401, 403, 404, 413, 422])('maps %i to permanent', (status) => {
    expect(resultForStatus('p', status, new Headers(), undefined, 'bad')).toEqual({ status: 'permanent', error: `p answered ${status}: bad` });
  });

  it('cuts a long provider text to a readable error', () => {
    const r = failureForStatus('p', 500, new Headers(), `<html>${'x'.repeat(1000)}</html>`);
    expect(r.error.length).toBeLessThan(350);
    expect(r.error.endsWith('…')).toBe(true);
  });
});

describe('retry hints', () => {
  it('reads Retry-After seconds into retryAfterMs of a 429', () => {
    expect(failureForStatus('p', 429, new Headers({ 'Retry-After': '7' }), undefined, now)).toEqual({ status: 'transient', error: 'p answered 429', retryAfterMs: 7000 });
  });

  it('reads a Retry-After HTTP-date', () => {
    expect(retryAfterFromHeaders(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 12:00:30 GMT' }), now)).toBe(30_000);
  });

  it('reads X-RateLimit-Reset epoch seconds as the time left until then', () => {
    const headers = new Headers({ 'X-RateLimit-Reset': String(epoch(now) + 42) });
    expect(failureForStatus('p', 429, headers, undefined, now)).toMatchObject({ status: 'transient', retryAfterMs: 42_000 });
  });

  it('prefers Retry-After over X-RateLimit-Reset', () => {
    expect(retryAfterFromHeaders(new Headers({ 'Retry-After': '3', 'X-RateLimit-Reset': String(epoch(now) + 100) }), now)).toBe(3000);
  });

  it('treats a small X-RateLimit-Reset as seconds from now, a past one as no wait, and caps long ones', () => {
    expect(parseRateLimitReset('5', now)).toBe(5000);
    expect(parseRateLimitReset(String(epoch(now) - 60), now)).toBe(0);
    expect(parseRateLimitReset(String(epoch(now) + 86_400), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRateLimitReset('soon', now)).toBeUndefined();
    expect(parseRateLimitReset(undefined, now)).toBeUndefined();
  });

  it('gives no retryAfterMs to a permanent failure, whatever the headers say', () => {
    expect(failureForStatus('p', 400, new Headers({ 'Retry-After': '5' }))).toEqual({ status: 'permanent', error: 'p answered 400' });
  });

  it('classifies statuses', () => {
    expect([408, 425, 429, 500, 599].every(isTransientStatus)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422].some(isTransientStatus)).toBe(false);
  });
});

describe('redact', () => {
  it('removes credential values in plain, URL-encoded and base64 forms', () => {
    const secret = 'k3y/with+chars';
    const text = `bad key ${secret} or ${encodeURIComponent(secret)} or ${Buffer.from(secret).toString('base64')}`;
    const out = redact(text, { api_key: secret });
    expect(out).not.toContain(secret);
    expect(out).not.toContain(encodeURIComponent(secret));
    expect(out).not.toContain(Buffer.from(secret).toString('base64'));
    expect(out).toContain('[redacted]');
  });
});

describe('helpers', () => {
  it('builds Basic auth', () => {
    expect(basicAuth('api', 'secret')).toBe(`Basic ${Buffer.from('api:secret').toString('base64')}`);
  });

  it('normalizes phones to E.164 and refuses what cannot be one', () => {
    expect(normalizePhone('+44 7700 900123')).toBe('+447700900123');
    expect(normalizePhone('0044 (7700) 900-123')).toBe('+447700900123');
    expect(normalizePhone('447700900123')).toBe('+447700900123');
    expect(normalizePhone('07700 900123')).toBeUndefined();
    expect(normalizePhone('call me')).toBeUndefined();
    expect(normalizePhone(undefined)).toBeUndefined();
  });

  it('checks base_url', () => {
    expect(baseUrlProblems({})).toEqual([]);
    expect(baseUrlProblems({ base_url: 'http://127.0.0.1:1234' })).toEqual([]);
    expect(baseUrlProblems({ base_url: 'ftp://x' })).toEqual(['base_url must be an http or https URL']);
    expect(baseUrlProblems({ base_url: 'https://u:p@x.example' })).toEqual(['base_url must not carry credentials']);
  });

  it('groups batch messages by account and content, keeping order', () => {
    const m = (id: string, html: string, account = 'a'): OutgoingMessage =>
      ({ id, to: `${id}@x.example`, html, subject: 's', variables: {}, settings: {}, account: { id: account, credentials: {}, settings: {} } }) as unknown as OutgoingMessage;
    expect(contentGroups([m('1', 'A'), m('2', 'B'), m('3', 'A'), m('4', 'A', 'b')])).toEqual([[0, 2], [1], [3]]);
  });
});
