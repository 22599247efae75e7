import {
  basicAuth,
  baseUrlProblems,
  originOf,
  regionOrigin,
  regionProblems,
  contentGroups,
  failureForStatus,
  isTransientStatus,
  normalizePhone,
  plainReason,
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
    expect(resultForStatus('p', status, new Headers(), undefined, 'busy', now)).toEqual({
      status: 'transient',
      error: `p answered ${status}: busy`,
    });
  });

  it.each([400, 401, 403, 404, 413, 422])('maps %i to permanent', (status) => {
    expect(resultForStatus('p', status, new Headers(), undefined, 'bad')).toEqual({
      status: 'permanent',
      error: `p answered ${status}: bad`,
    });
  });

  it('cuts a long provider text to a readable error', () => {
    const r = failureForStatus('p', 500, new Headers(), `<html>${'x'.repeat(1000)}</html>`);
    expect(r.error.length).toBeLessThan(350);
    expect(r.error.endsWith('…')).toBe(true);
  });
});

describe('retry hints', () => {
  it('reads Retry-After seconds into retryAfterMs of a 429', () => {
    expect(failureForStatus('p', 429, new Headers({ 'Retry-After': '7' }), undefined, now)).toEqual({
      status: 'transient',
      error: 'p answered 429',
      retryAfterMs: 7000,
    });
  });

  it('reads a Retry-After HTTP-date', () => {
    expect(retryAfterFromHeaders(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 12:00:30 GMT' }), now)).toBe(30_000);
  });

  it('reads X-RateLimit-Reset epoch seconds as the time left until then', () => {
    const headers = new Headers({ 'X-RateLimit-Reset': String(epoch(now) + 42) });
    expect(failureForStatus('p', 429, headers, undefined, now)).toMatchObject({
      status: 'transient',
      retryAfterMs: 42_000,
    });
  });

  it('prefers Retry-After over X-RateLimit-Reset', () => {
    expect(
      retryAfterFromHeaders(new Headers({ 'Retry-After': '3', 'X-RateLimit-Reset': String(epoch(now) + 100) }), now),
    ).toBe(3000);
  });

  it('treats a small X-RateLimit-Reset as seconds from now, a past one as no wait, and caps long ones', () => {
    expect(parseRateLimitReset('5', now)).toBe(5000);
    expect(parseRateLimitReset(String(epoch(now) - 60), now)).toBe(0);
    expect(parseRateLimitReset(String(epoch(now) + 86_400), now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRateLimitReset('soon', now)).toBeUndefined();
    expect(parseRateLimitReset(undefined, now)).toBeUndefined();
  });

  it('gives no retryAfterMs to a permanent failure, whatever the headers say', () => {
    expect(failureForStatus('p', 400, new Headers({ 'Retry-After': '5' }))).toEqual({
      status: 'permanent',
      error: 'p answered 400',
    });
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

  it('removes HTTP Basic pairs (base64 of user:secret) and any Basic or Bearer value', () => {
    const sid = `AC${'0'.repeat(32)}`;
    const token = 'twilio-auth-token-77';
    const pair = Buffer.from(`${sid}:${token}`).toString('base64');
    const mailgun = Buffer.from('api:key-mailgun-123').toString('base64');
    const text = `echo: ${pair} and ${mailgun}; header authorization: Basic ${pair}; Authorization: Bearer SG.other-key-we-never-had.xyz`;
    const out = redact(text, { account_sid: sid, auth_token: token, api_key: 'key-mailgun-123' });
    for (const leaked of [pair, mailgun, token, 'SG.other-key-we-never-had.xyz']) expect(out).not.toContain(leaked);
    expect(out).toContain('Basic [redacted]');
    expect(out).toContain('Bearer [redacted]');
  });
});

describe('plainReason', () => {
  const answer = (text: string) => ({ status: 502, headers: new Headers(), text, json: undefined });
  it('quotes a short plain-text reason and summarises anything else by the status alone', () => {
    expect(plainReason(answer('Forbidden'))).toBe('Forbidden');
    expect(plainReason(answer('<html><body>nginx internal page, port 6379 open</body></html>'))).toBeUndefined();
    expect(plainReason(answer('-ERR unknown command\r\n+OK'))).toBeUndefined();
    expect(plainReason(answer('x'.repeat(201)))).toBeUndefined();
    expect(plainReason(answer('   '))).toBeUndefined();
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

  it('refuses base_url in account settings: a provider URL is operator configuration', () => {
    expect(baseUrlProblems({})).toEqual([]);
    for (const url of ['http://127.0.0.1:1234', 'https://api.sendgrid.com', 'ftp://x']) {
      expect(baseUrlProblems({ base_url: url })).toEqual([
        'base_url is not an account setting: a custom provider URL is operator configuration (PROVIDER_BASE_URLS)',
      ]);
    }
  });

  it("picks the origin: the operator's replacement, else the account's documented region, else the first", () => {
    const regions = { us: 'https://api.mailgun.net', eu: 'https://api.eu.mailgun.net' };
    expect(regionOrigin({}, {}, regions)).toBe('https://api.mailgun.net');
    expect(regionOrigin({}, { region: 'eu' }, regions)).toBe('https://api.eu.mailgun.net');
    expect(regionOrigin({ baseUrl: 'http://127.0.0.1:9/' }, { region: 'eu' }, regions)).toBe('http://127.0.0.1:9');
    expect(regionProblems({ region: 'eu' }, regions)).toEqual([]);
    expect(regionProblems({ region: 'http://127.0.0.1' }, regions)).toEqual(['region must be one of us, eu']);
    expect(regionProblems({ region: 'toString' }, regions)).toEqual(['region must be one of us, eu']);
    expect(originOf({}, 'https://api.eu.mailgun.net')).toBe('https://api.eu.mailgun.net');
    expect(originOf({ baseUrl: 'http://127.0.0.1:4010/' }, 'https://api.eu.mailgun.net')).toBe('http://127.0.0.1:4010');
  });

  it('groups batch messages by account and content, keeping order', () => {
    const m = (id: string, html: string, account = 'a'): OutgoingMessage =>
      ({
        id,
        to: `${id}@x.example`,
        html,
        subject: 's',
        variables: {},
        settings: {},
        account: { id: account, credentials: {}, settings: {} },
      }) as unknown as OutgoingMessage;
    expect(contentGroups([m('1', 'A'), m('2', 'B'), m('3', 'A'), m('4', 'A', 'b')])).toEqual([[0, 2], [1], [3]]);
  });
});
