import { literalRefusal, refusalFor, setOutboundAllowHosts } from '../../src/outbound/address-policy';

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
    for (const address of ['169.254.169.254', 'fd00:ec2::254', '::ffff:169.254.169.254', '100.100.100.200', '169.254.170.2']) {
      expect(refusalFor('metadata.google.internal', address)).toMatch(/cloud metadata address, never reachable/);
    }
  });

  it('checks literal hosts, however the URL spells them', () => {
    setOutboundAllowHosts('');
    // The URL parser normalises decimal, hex and short forms to dotted quads; the guard sees those.
    for (const url of ['http://2130706433/', 'http://0x7f.1/', 'http://127.1/', 'http://[::1]/', 'http://[::ffff:7f00:1]/', 'http://0.0.0.0/', 'http://[0:0:0:0:0:0:0:0]/']) {
      expect(literalRefusal(new URL(url).hostname)).toBeDefined();
    }
    expect(literalRefusal('api.sendgrid.com')).toBeUndefined();
    expect(literalRefusal('8.8.8.8')).toBeUndefined();
  });
});
