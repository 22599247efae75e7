import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccountSpec, Channel, ChannelAccount, OutgoingMessage, SendResult } from '../../src/channels/channel';
import type { CustomerDoc } from '../../src/models/customer';

/** One request the fake key provider got. */
export interface KeyProviderRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  body: unknown;
}

/**
 * A local provider that authenticates `Authorization: Bearer <key>` against `validKeys`.
 * A refused key is quoted back in its 401 body, as careless providers do, so tests can check
 * the engine keeps it out of stored errors and logs.
 */
export interface FakeKeyProvider {
  url: string;
  validKeys: Set<string>;
  requests: KeyProviderRequest[];
  close(): Promise<void>;
}

export async function startFakeKeyProvider(validKeys: string[]): Promise<FakeKeyProvider> {
  const requests: KeyProviderRequest[] = [];
  const keys = new Set(validKeys);
  let sent = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const authorization = req.headers.authorization;
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        authorization,
        body: raw ? JSON.parse(raw) : undefined,
      });
      const key = authorization?.replace(/^Bearer /, '') ?? '';
      res.setHeader('content-type', 'application/json');
      if (!keys.has(key)) {
        res.statusCode = 401;
        res.end(JSON.stringify({ error: `invalid api key ${key}` }));
        return;
      }
      res.end(JSON.stringify(req.url === '/me' ? { account: 'fake' } : { id: `fk-msg-${++sent}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    validKeys: keys,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * A test-only provider channel that sends through an account: `api_key` (must start with
 * `fk_`) and `signing_secret`, `settings.base_url` pointing at a FakeKeyProvider.
 */
export class FakeKeyChannel implements Channel {
  readonly unsubscribeKey = 'email';
  readonly account: AccountSpec = {
    credentials: ['api_key', 'signing_secret'],
    validate: ({ credentials, settings }) => [
      ...(credentials.api_key?.startsWith('fk_') ? [] : ['api_key must start with fk_']),
      ...(typeof settings.base_url === 'string' && /^https?:\/\//.test(settings.base_url)
        ? []
        : ['settings.base_url must be an http(s) URL']),
    ],
  };

  constructor(
    readonly type = 'fakekey',
    withTest = true,
  ) {
    if (!withTest) this.testConnection = undefined;
  }

  recipient(customer: CustomerDoc): { to: string } | { skip: string } {
    return customer.email ? { to: customer.email } : { skip: 'missing_email' };
  }

  validateSettings(): string[] {
    return [];
  }

  async send(message: OutgoingMessage): Promise<SendResult> {
    if (!message.account) return { status: 'permanent', error: 'no account' };
    const res = await this.call(message.account, '/send', {
      to: message.to,
      subject: message.subject,
      text: message.text,
    });
    if (res.ok) return { status: 'sent', providerMessageId: ((await res.json()) as { id: string }).id };
    // Deliberately careless: quotes the provider's body, key included.
    const text = await res.text();
    return res.status >= 500
      ? { status: 'transient', error: `${res.status} ${text}` }
      : { status: 'permanent', error: `${res.status} ${text}` };
  }

  testConnection?: (account: ChannelAccount) => Promise<{ ok: true } | { ok: false; error: string }> = async (
    account,
  ) => {
    const res = await this.call(account, '/me');
    return res.ok ? { ok: true } : { ok: false, error: `${res.status} ${await res.text()}` };
  };

  private call(account: ChannelAccount, path: string, body?: unknown): Promise<Response> {
    return fetch(`${String(account.settings.base_url)}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${account.credentials.api_key ?? ''}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }
}
