import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Channel, OutgoingMessage } from '../../src/channels/channel';
import { notifyOperator } from '../../src/channels/operator-mail';
import { createChannelRegistry } from '../../src/channels/registry';
import { defaultDistributionSettings, type DistributionSettings } from '../../src/distributions/settings';
import { createLogger } from '../../src/logger';
import type { CustomerDoc } from '../../src/models/customer';
import { messageVariables } from '../../src/templates/message-variables';
import { renderTemplate } from '../../src/templates/render';
import { LogCapture } from '../helpers/context';
import { startFakeSmtp, type FakeSmtp } from '../helpers/fake-smtp';
import { customerDoc } from '../helpers/customer-doc';

const customer: CustomerDoc = customerDoc({
  _id: 'cust_mail',
  source_id: 'mail-1',
  source_id_key: 'mail-1',
  name: 'Grace <Hopper>',
  email: 'grace@example.com',
});

function settingsWith(
  mail: Partial<DistributionSettings['mail']>,
  extra: Partial<DistributionSettings> = {},
): DistributionSettings {
  const base = defaultDistributionSettings();
  return { ...base, ...extra, mail: { ...base.mail, ...mail } };
}

function emailChannel(settings: DistributionSettings, logs = new LogCapture()): Channel {
  return createChannelRegistry(settings, createLogger('info', logs)).get('email')!;
}

function message(id: string, code = 'SPRING-123'): OutgoingMessage {
  const variables = messageVariables({
    customer,
    distribution: { _id: 'dist_mail', name: 'Spring' },
    voucher: { code },
  });
  const rendered = renderTemplate(
    {
      subject: 'Your code, {{ customer.name }}',
      html: '<p>Hi {{customer.name}}, use <b>{{ voucher.code }}</b></p>',
      text: 'Use {{voucher.code}}',
    },
    variables,
  );
  return { id, customer, to: customer.email!, ...rendered, variables, settings: {} };
}

describe('email channel over SMTP', () => {
  let smtp: FakeSmtp;
  let email: Channel;

  beforeAll(async () => {
    smtp = await startFakeSmtp();
    email = emailChannel(settingsWith({ smtpUrl: smtp.url, from: 'Promo <promo@shop.test>' }));
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('resolves the customer email, or skips with missing_email, and silences on the email opt-out', () => {
    expect(email.recipient(customer, {})).toEqual({ to: 'grace@example.com' });
    const { email: _omit, ...noEmail } = customer;
    expect(email.recipient(noEmail, {})).toEqual({ skip: 'missing_email' });
    expect(email.unsubscribeKey).toBe('email');
  });

  it('validates reply_to only', () => {
    expect(email.validateSettings({})).toEqual([]);
    expect(email.validateSettings({ reply_to: 'help@shop.test' })).toEqual([]);
    expect(email.validateSettings({ reply_to: 'not an address' })).toEqual(['reply_to must be an email address']);
  });

  it('does not connect before the first send', () => {
    const fresh = createChannelRegistry(settingsWith({ smtpUrl: smtp.url }), createLogger('silent'));
    expect(fresh.types()).toEqual(expect.arrayContaining(['email', 'webhook']));
    expect(smtp.connections()).toBe(0);
  });

  it('delivers the rendered html and text with a deterministic Message-ID and Reply-To', async () => {
    const before = smtp.messages.length;
    const result = await email.send({
      ...message('msg_dist_mail.manual.cust_mail.0'),
      settings: { reply_to: 'help@shop.test' },
    });
    expect(result).toMatchObject({ status: 'sent' });
    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.to).toEqual(['grace@example.com']);
    expect(mail!.from).toBe('promo@shop.test');
    expect(mail!.subject).toBe('Your code, Grace <Hopper>');
    expect(mail!.html).toContain('<b>SPRING-123</b>');
    expect(mail!.html).toContain('Grace &lt;Hopper&gt;');
    expect(mail!.text).toContain('Use SPRING-123');
    expect(mail!.messageId).toBe('<msg_dist_mail.manual.cust_mail.0@promo-engine>');
    expect(mail!.headers['reply-to']).toContain('help@shop.test');

    // The same message id sent again (a retry) carries the same Message-ID, so receivers can dedupe.
    await email.send(message('msg_dist_mail.manual.cust_mail.0'));
    const again = (await smtp.waitFor(before + 2))[before + 1]!;
    expect(again.messageId).toBe(mail!.messageId);
  });

  it('adds a plain-text part derived from the html when the template has none', async () => {
    const before = smtp.messages.length;
    const { text: _none, ...htmlOnly } = message('msg_html_only', 'HTML-ONLY-9');
    expect(await email.send(htmlOnly)).toMatchObject({ status: 'sent' });
    const mail = (await smtp.waitFor(before + 1))[before]!;
    expect(mail.text).toContain('Hi Grace <Hopper>, use HTML-ONLY-9');
  });

  it('reuses pooled connections across sends', async () => {
    const start = smtp.connections();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => email.send(message(`msg_pool.${i}`))));
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(smtp.connections() - start).toBeLessThanOrEqual(5);
  });

  it('maps a 550 to permanent, with the server text', async () => {
    smtp.failNext(550);
    const result = await email.send(message('msg_550'));
    expect(result).toEqual({ status: 'permanent', error: expect.stringContaining('550 5.1.1 Mailbox unavailable') });
  });

  it('maps a 550 after DATA to permanent too', async () => {
    smtp.failNext(550, 1, 'data');
    expect(await email.send(message('msg_550_data'))).toMatchObject({ status: 'permanent' });
  });

  it('maps a 451 to transient', async () => {
    smtp.failNext(451);
    const result = await email.send(message('msg_451'));
    expect(result).toEqual({ status: 'transient', error: expect.stringContaining('451') });
    // And the next send goes through again.
    expect(await email.send(message('msg_after_451'))).toMatchObject({ status: 'sent' });
  });

  it('refuses to send over smtp:// to a server without STARTTLS, unless SMTP_REQUIRE_TLS is turned off', async () => {
    const plain = new URL(smtp.url);
    plain.searchParams.delete('ignoreTLS');
    const before = smtp.messages.length;
    const refused = await emailChannel(settingsWith({ smtpUrl: plain.toString() })).send(message('msg_no_tls'));
    expect(refused.status).not.toBe('sent');
    expect(smtp.messages.length).toBe(before);
    const allowed = await emailChannel(settingsWith({ smtpUrl: plain.toString(), requireTls: false })).send(
      message('msg_tls_off'),
    );
    expect(allowed).toMatchObject({ status: 'sent' });
    await smtp.waitFor(before + 1);
  });

  it('maps an unreachable SMTP server to transient, without the password in the error', async () => {
    const down = await startFakeSmtp();
    await down.close();
    const logs = new LogCapture();
    const url = new URL(down.url);
    url.username = 'mailer';
    url.password = 's3cret-pw';
    const result = await emailChannel(settingsWith({ smtpUrl: url.toString() }), logs).send(message('msg_down'));
    expect(result.status).toBe('transient');
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
    expect(logs.text).not.toContain('s3cret-pw');
  });

  it('emails the operator when one is configured, and only logs otherwise', async () => {
    const before = smtp.messages.length;
    const logger = createLogger('silent');
    const sent = await notifyOperator(settingsWith({ smtpUrl: smtp.url }, { operatorEmail: 'ops@shop.test' }), logger, {
      subject: 'Pool exhausted',
      text: 'No codes left.',
    });
    expect(sent).toBe(true);
    const mail = (await smtp.waitFor(before + 1))[before]!;
    expect(mail).toMatchObject({ to: ['ops@shop.test'], subject: 'Pool exhausted' });
    expect(mail.text).toContain('No codes left.');

    const logs = new LogCapture();
    expect(
      await notifyOperator(settingsWith({ smtpUrl: smtp.url }), createLogger('info', logs), {
        subject: 'Pool exhausted',
        text: 'x',
      }),
    ).toBe(false);
    expect(logs.text).toContain('no operator email configured');
    expect(smtp.messages.length).toBe(before + 1);
  });
});

describe('email channel without SMTP', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'outbox-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file named after the message id', async () => {
    const email = emailChannel(settingsWith({ outboxDir: path.join(dir, 'mail') }));
    const result = await email.send(message('msg_dist_1.manual.cust_mail.0', 'EML-777'));
    expect(result).toMatchObject({ status: 'sent' });
    const files = await readdir(path.join(dir, 'mail'));
    expect(files).toEqual(['msg_dist_1.manual.cust_mail.0.eml']);
    const eml = await readFile(path.join(dir, 'mail', files[0]!), 'utf8');
    expect(eml).toContain('Message-ID: <msg_dist_1.manual.cust_mail.0@promo-engine>');
    expect(eml).toContain('To: grace@example.com');
    expect(eml).toContain('EML-777');
    // Mails hold codes and addresses: readable by the service's user only (umask cannot widen them).
    expect((await stat(path.join(dir, 'mail', files[0]!))).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dir, 'mail'))).mode & 0o777).toBe(0o700);
  });

  it('sends the operator notice to the outbox too', async () => {
    const outboxDir = path.join(dir, 'ops');
    expect(
      await notifyOperator(settingsWith({ outboxDir }, { operatorEmail: 'ops@shop.test' }), createLogger('silent'), {
        subject: 'Stopped',
        text: 'Pool ran out',
      }),
    ).toBe(true);
    const files = await readdir(outboxDir);
    expect(files).toHaveLength(1);
    expect(await readFile(path.join(outboxDir, files[0]!), 'utf8')).toContain('Pool ran out');
  });
});
