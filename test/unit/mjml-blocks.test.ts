import type { EmailBlock } from '../../src/templates/blocks';
import { compiledCacheSize } from '../../src/templates/mjml';
import { renderMessage } from '../../src/templates/render';
import { validateTemplate } from '../../src/templates/validate-template';
import { everyBlock, everyBlockStyle } from '../helpers/template-blocks';

const vars = {
  customer: { name: 'Ada <b>&"', email: 'ada@example.com' },
  voucher: { code: 'SPRING-42', qr_url: 'https://promo.example.com/public/codes/SPRING-42/qr.png?sig=abc&x=1' },
  unsubscribe_url: 'https://promo.example.com/public/unsubscribe?c=cust_1&ch=email&sig=xyz',
};

describe('blocks → MJML → HTML', () => {
  let html: string;
  let text: string;
  beforeAll(async () => {
    const out = await renderMessage(
      { subject: 'Hi {{ customer.name }}', blocks: everyBlock, style: everyBlockStyle },
      vars,
    );
    html = out.html!;
    text = out.text!;
    expect(out.subject).toBe('Hi Ada <b>&"');
  });

  it('renders the header logo with its alt, link and background', () => {
    expect(html).toContain('src="https://cdn.example.com/logo.png"');
    expect(html).toContain('alt="Acme logo"');
    expect(html).toContain('href="https://acme.example.com"');
    expect(html).toMatch(/background(-color)?:#102030/);
  });

  it('renders formatted text with the customer name escaped', () => {
    expect(html).toContain('<b>Hello</b> Ada &lt;b&gt;&amp;&quot;');
    expect(html).toContain('<span style="color:#cc0000">');
    expect(html).toMatch(/font-size:18px/);
  });

  it('renders the image with alt, width and link, and the QR URL escaped in the attribute', () => {
    expect(html).toContain('alt="Your QR code"');
    expect(html).toContain('src="https://promo.example.com/public/codes/SPRING-42/qr.png?sig=abc&amp;x=1"');
    expect(html).toContain('href="https://acme.example.com/shop"');
    expect(html).toMatch(/width="200"/);
  });

  it('renders the button with its colours, radius, width and link', () => {
    expect(html).toContain('href="https://acme.example.com/redeem?code=SPRING-42"');
    expect(html).toMatch(/background:#ff6600/);
    expect(html).toMatch(/color:#ffffff/);
    expect(html).toMatch(/border-radius:12px/);
    expect(html).toContain('Redeem now');
  });

  it('renders the divider with its colour and thickness', () => {
    expect(html).toMatch(/border-top:\s*solid 3px #cccccc/);
  });

  it('renders social links for all five networks', () => {
    for (const url of [
      'https://www.linkedin.com/company/acme',
      'https://www.facebook.com/acme',
      'https://www.instagram.com/acme',
      'https://x.com/acme',
      'https://www.youtube.com/@acme',
    ]) {
      expect(html).toContain(`href="${url}"`);
    }
  });

  it('renders the footer with its colour and the unsubscribe link', () => {
    expect(html).toContain('Acme Ltd, 1 Main Street');
    expect(html).toMatch(/color:#999999/);
    expect(html).toContain('href="https://promo.example.com/public/unsubscribe?c=cust_1&amp;ch=email&amp;sig=xyz"');
  });

  it('applies the page colours, border and font', () => {
    expect(html).toMatch(/background-color:#eeeeee/);
    expect(html).toMatch(/background(-color)?:#fafafa/);
    expect(html).toContain('Georgia, serif');
    expect(html).toMatch(/border:2px solid #333333/);
  });

  it('derives a plain-text part with the code and links', () => {
    expect(text).toContain('Hello Ada <b>&"');
    expect(text).toContain('Redeem now (https://acme.example.com/redeem?code=SPRING-42)');
    expect(text).toContain('LinkedIn (https://www.linkedin.com/company/acme)');
    expect(text).toContain('Your QR code (https://acme.example.com/shop)');
    expect(text).not.toMatch(/<\/?(div|table|td|span|img|a)[\s>]/);
  });

  it('compiles a template once, whatever the variables', async () => {
    const template = {
      subject: 's',
      blocks: [{ type: 'text', content: 'Hi {{ customer.name }}' }] satisfies EmailBlock[],
    };
    await renderMessage(template, vars);
    const size = compiledCacheSize();
    const again = await renderMessage(template, { customer: { name: 'Bob' } });
    expect(compiledCacheSize()).toBe(size);
    expect(again.html).toContain('Hi Bob');
  });
});

describe('MJML templates', () => {
  it('keeps {{ placeholders }} through the compile and fills them escaped', async () => {
    const mjml =
      '<mjml><mj-body><mj-section><mj-column>\n<mj-text>Code: {{ voucher.code }} for {{ customer.name | default: "friend" }}</mj-text>\n<mj-button href="{{ unsubscribe_url }}">Stop</mj-button>\n</mj-column></mj-section></mj-body></mjml>';
    const out = await renderMessage({ subject: 'x', mjml }, vars);
    expect(out.html).toContain('Code: SPRING-42 for Ada &lt;b&gt;&amp;&quot;');
    expect(out.html).toContain('href="https://promo.example.com/public/unsubscribe?c=cust_1&amp;ch=email&amp;sig=xyz"');
    const anonymous = await renderMessage({ subject: 'x', mjml }, { voucher: { code: 'A' } });
    expect(anonymous.html).toContain('Code: A for friend');
  });

  it('percent-encodes values inside a link and refuses unsafe whole-URL values', async () => {
    const mjml =
      '<mjml><mj-body><mj-section><mj-column>\n<mj-button href="https://shop.example.com/r?code={{ voucher.code }}">Go</mj-button>\n<mj-button href="{{ customer.metadata.site }}">Site</mj-button>\n<mj-text><a href="{{ customer.metadata.home }}">Home</a> {{ voucher.code }}</mj-text>\n</mj-column></mj-section></mj-body></mjml>';
    const out = await renderMessage(
      { subject: 'x', mjml },
      {
        voucher: { code: 'A&B C' },
        customer: { metadata: { site: 'javascript:alert(1)', home: 'https://home.example.com/?a=1&b=2' } },
      },
    );
    expect(out.html).toContain('href="https://shop.example.com/r?code=A%26B%20C"');
    expect(out.html).not.toContain('javascript');
    expect(out.html).toContain('href="https://home.example.com/?a=1&amp;b=2"');
    expect(out.html).toContain('</a> A&amp;B C');
  });

  it('reports invalid MJML with its line and reason', () => {
    const mjml =
      '<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-txt>typo</mj-txt>\n<mj-text color="reddish">x</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>';
    expect(validateTemplate('email', { subject: 's', mjml }, 'channels.0.template')).toEqual([
      { field: 'channels.0.template.mjml', line: 5, reason: expect.stringContaining('mj-txt') },
      { field: 'channels.0.template.mjml', line: 6, reason: expect.stringContaining('color') },
    ]);
  });

  it('refuses a document that is not MJML', () => {
    expect(validateTemplate('email', { subject: 's', mjml: '<html><body>hi</body></html>' }, 't')).toEqual([
      { field: 't.mjml', line: 1, reason: expect.stringContaining('<mjml>') },
    ]);
  });

  it('reports an unknown variable in MJML with its line', () => {
    const mjml =
      '<mjml><mj-body><mj-section><mj-column>\n<mj-text>ok</mj-text>\n<mj-text>{{ customer.frist_name }}</mj-text>\n</mj-column></mj-section></mj-body></mjml>';
    expect(validateTemplate('sendgrid', { subject: 's', mjml }, 't')).toEqual([
      { field: 't.mjml', line: 3, reason: expect.stringContaining('unknown variable "customer.frist_name"') },
    ]);
  });

  it('accepts a valid MJML template for email-like providers', () => {
    const mjml =
      '<mjml><mj-body><mj-section><mj-column><mj-image src="{{ voucher.qr_url }}" /></mj-column></mj-section></mj-body></mjml>';
    for (const type of ['email', 'sendgrid', 'mandrill', 'mailgun'])
      expect(validateTemplate(type, { subject: 's', mjml }, 't')).toEqual([]);
  });
});

describe('block validation', () => {
  it('reports the field path of a bad block', () => {
    const blocks = [
      { type: 'text', content: 'ok' },
      { type: 'button', label: 'Go', link: 'javascript:alert(1)', background_color: 'red' },
    ] as unknown as EmailBlock[];
    const problems = validateTemplate('email', { subject: 's', blocks }, 'channels.0.template');
    expect(problems.map((p) => p.field)).toEqual([
      'channels.0.template.blocks.1.link',
      'channels.0.template.blocks.1.background_color',
    ]);
  });

  it('refuses HTML outside the safe inline subset in text', () => {
    const blocks = [
      {
        type: 'text',
        content:
          '<b>ok</b> <script>x</script> <a href="javascript:x" onclick="y">z</a> <span style="position:fixed">p</span>',
      },
    ] as EmailBlock[];
    const reasons = validateTemplate('email', { subject: 's', blocks }, 't').map((p) => `${p.field}: ${p.reason}`);
    expect(reasons).toEqual([
      't.blocks.0.content: <script> is not allowed; use b, strong, i, em, u, a, br, span or p',
      't.blocks.0.content: <script> is not allowed; use b, strong, i, em, u, a, br, span or p',
      't.blocks.0.content: link "javascript:x" must be http(s), mailto or a {{ variable }}',
      't.blocks.0.content: attribute onclick is not allowed on <a>',
      't.blocks.0.content: style "position:fixed" is not allowed',
    ]);
  });

  it('reports an unknown variable inside a block with the block field and line', () => {
    const blocks = [{ type: 'text', content: 'line one<br>\n{{ voucher.cod }}' }] as EmailBlock[];
    expect(validateTemplate('email', { subject: 's', blocks }, 't')).toEqual([
      { field: 't.blocks.0.content', line: 2, reason: 'unknown variable "voucher.cod"; did you mean "voucher.code"?' },
    ]);
  });

  it('knows the link variables', () => {
    const blocks = [
      { type: 'image', src: '{{ voucher.barcode_url }}' },
      { type: 'footer', content: '<a href="{{ unsubscribe_url }}">Unsubscribe</a>' },
    ] as EmailBlock[];
    expect(validateTemplate('email', { subject: 's', blocks }, 't')).toEqual([]);
  });

  it('keeps SMS templates to text', () => {
    expect(validateTemplate('sms', { text: 'Code {{ voucher.code }}' }, 't')).toEqual([]);
    expect(validateTemplate('sms', { text: 'x', mjml: '<mjml></mjml>' }, 't')).toEqual([
      { field: 't.mjml', reason: expect.stringContaining('text') },
    ]);
    expect(validateTemplate('twilio', {}, 't')).toEqual([{ field: 't.text', reason: 'a text message needs a text' }]);
  });
});
