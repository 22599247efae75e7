import type { LookupAddress } from 'node:dns';
import { literalRefusal, refusalFor, setOutboundAllowHosts } from '../../src/outbound/address-policy';
import { guardedLookup } from '../../src/outbound/guarded-lookup';

/** `guardedLookup` as a promise: the error, or what it hands the socket to connect to. */
function lookup(
  host: string,
  all: boolean,
): Promise<{ err: (Error & { code?: string }) | null; address: string | LookupAddress[] }> {
  return new Promise((resolve) => guardedLookup(host, { all }, (err, address) => resolve({ err, address })));
}

describe('the outbound address policy', () => {
  afterEach(() => setOutboundAllowHosts(process.env.OUTBOUND_ALLOW_HOSTS));

  it('lets only globally routable unicast addresses out', () => {
    setOutboundAllowHosts('');
    expect(refusalFor('api.sendgrid.com', '167.89.118.35')).toBeUndefined();
    expect(refusalFor('api.example', '2606:4700::6810:84e5')).toBeUndefined();
    const refused: [string, RegExp][] = [
      ['127.0.0.1', /loopback/],
      ['127.9.9.9', /loopback/],
      ['::1', /loopback/],
      ['0.0.0.0', /unspecified/],
      ['::', /unspecified/],
      ['10.0.0.8', /private/],
      ['172.16.3.4', /private/],
      ['192.168.1.1', /private/],
      ['169.254.10.1', /linkLocal/],
      ['fe80::1', /linkLocal/],
      ['fc00::5', /uniqueLocal/],
      ['224.0.0.251', /multicast/],
      ['ff02::1', /multicast/],
      ['100.64.0.1', /carrierGradeNat/],
      ['255.255.255.255', /broadcast/],
      ['::ffff:127.0.0.1', /loopback/],
      ['::ffff:10.0.0.1', /private/],
      ['64:ff9b::7f00:1', /rfc6052/],
      ['2002:7f00:1::1', /6to4/],
    ];
    for (const [address, why] of refused) expect(refusalFor('attacker.example', address)).toMatch(why);
  });

  it('opens allowlisted names and addresses, but never a cloud metadata address', () => {
    setOutboundAllowHosts('localhost, 127.0.0.1,[::1],hooks.internal');
    expect(refusalFor('localhost', '127.0.0.1')).toBeUndefined();
    expect(refusalFor('anything.example', '127.0.0.1')).toBeUndefined();
    expect(refusalFor('anything.example', '::1')).toBeUndefined();
    expect(refusalFor('hooks.internal', '10.1.2.3')).toBeUndefined();
    expect(refusalFor('other.internal', '10.1.2.3')).toMatch(/private/);
    setOutboundAllowHosts('169.254.169.254,fd00:ec2::254,metadata.google.internal,100.100.100.200');
    for (const address of [
      '169.254.169.254',
      'fd00:ec2::254',
      '::ffff:169.254.169.254',
      '100.100.100.200',
      '169.254.170.2',
    ]) {
      expect(refusalFor('metadata.google.internal', address)).toMatch(/cloud metadata address, never reachable/);
    }
  });

  it('checks literal hosts, however the URL spells them', () => {
    setOutboundAllowHosts('');
    // The URL parser normalises decimal, hex and short forms to dotted quads; the guard sees those.
    for (const url of [
      'http://2130706433/',
      'http://0x7f.1/',
      'http://127.1/',
      'http://[::1]/',
      'http://[::ffff:7f00:1]/',
      'http://0.0.0.0/',
      'http://[0:0:0:0:0:0:0:0]/',
    ]) {
      expect(literalRefusal(new URL(url).hostname)).toBeDefined();
    }
    expect(literalRefusal('localhost')).toMatch(/loopback name/);
    expect(literalRefusal('app.localhost.')).toMatch(/loopback name/);
    expect(literalRefusal('api.sendgrid.com')).toBeUndefined();
    expect(literalRefusal('8.8.8.8')).toBeUndefined();
  });

  it('checks a name by the addresses it resolves to when connecting, and hands the socket only those', async () => {
    setOutboundAllowHosts('');
    // `localhost` resolves through the system resolver here, like any name would (a rebinding name included).
    for (const all of [false, true]) {
      const refused = await lookup('localhost', all);
      expect(refused.err?.code).toBe('E_OUTBOUND_REFUSED');
      expect(refused.err?.message).toMatch(/^localhost: (127\.0\.0\.1|::1) is a loopback address/);
    }
    setOutboundAllowHosts('127.0.0.1,::1');
    const one = await lookup('localhost', false);
    expect(one.err).toBeNull();
    expect(['127.0.0.1', '::1']).toContain(one.address);
    const every = await lookup('localhost', true);
    expect(every.err).toBeNull();
    expect((every.address as LookupAddress[]).every((a) => ['127.0.0.1', '::1'].includes(a.address))).toBe(true);
  });
});
