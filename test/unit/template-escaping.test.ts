import { parseTemplate } from '../../src/templates/parse';
import { placeholderContexts } from '../../src/templates/html-context';
import { renderString } from '../../src/templates/render';

const EVIL = 'javascript:alert(document.cookie)';
const render = (html: string, v: unknown) => renderString(html, { customer: { metadata: { v } } }, true);

describe('context-aware escaping of template variables', () => {
  it('HTML-escapes in text and quoted attributes', () => {
    expect(render('<p>{{ customer.metadata.v }}</p>', '<img src=x onerror=alert(1)>')).toBe(
      '<p>&lt;img src=x onerror=alert(1)&gt;</p>',
    );
    expect(render('<td title="{{ customer.metadata.v }}">', '" onmouseover="alert(1)')).toBe(
      '<td title="&quot; onmouseover=&quot;alert(1)">',
    );
    expect(render("<td title='{{ customer.metadata.v }}'>", "' onmouseover='alert(1)")).toBe(
      "<td title='&#39; onmouseover=&#39;alert(1)'>",
    );
  });

  it('keeps an unquoted attribute value one value: a space cannot start another attribute', () => {
    const out = render('<td title={{ customer.metadata.v }}>x</td>', 'a onmouseover=alert(1)');
    expect(out).toBe('<td title=a&#x20;onmouseover&#x3d;alert&#x28;1&#x29;>x</td>');
    expect(out).not.toMatch(/\sonmouseover/);
  });

  it('never puts a javascript: URL in href, src, action or formaction, quoted or not, however the tag is written', () => {
    for (const template of [
      '<a href="{{ customer.metadata.v }}">x</a>',
      "<a href='{{ customer.metadata.v }}'>x</a>",
      '<a href={{ customer.metadata.v }}>x</a>',
      '<a/href="{{ customer.metadata.v }}">x</a>',
      '<a\nclass="b"\nHREF = "{{ customer.metadata.v }}">x</a>',
      '<img src="{{ customer.metadata.v }}">',
      '<form action="{{ customer.metadata.v }}"><button formaction={{ customer.metadata.v }}>go</button></form>',
      '<table background="{{ customer.metadata.v }}">',
    ]) {
      for (const evil of [
        EVIL,
        '  JavaScript:alert(1)',
        'java\tscript:alert(1)',
        'data:text/html,<script>alert(1)</script>',
        'vbscript:msgbox(1)',
      ]) {
        expect({ template, evil, out: render(template, evil) }).toEqual({
          template,
          evil,
          out: expect.not.stringMatching(/script:|data:/i),
        });
      }
    }
    expect(render('<a href="{{ customer.metadata.v }}">x</a>', 'https://shop.example/?a=1&b=2')).toBe(
      '<a href="https://shop.example/?a=1&amp;b=2">x</a>',
    );
    expect(render('<a href={{ customer.metadata.v }}>x</a>', 'https://shop.example/a')).toBe(
      '<a href=https&#x3a;&#x2f;&#x2f;shop&#x2e;example&#x2f;a>x</a>',
    );
    expect(render('<a href="mailto:{{ customer.metadata.v }}">x</a>', 'a@b.example?bcc=evil@x.example')).toBe(
      '<a href="mailto:a%40b.example%3Fbcc%3Devil%40x.example">x</a>',
    );
    expect(render('<a href="https://shop.example/r?code={{ customer.metadata.v }}">x</a>', 'A&B C')).toBe(
      '<a href="https://shop.example/r?code=A%26B%20C">x</a>',
    );
    // Text that merely mentions href= is not an attribute.
    expect(render('<p>set href="{{ customer.metadata.v }}"</p>', EVIL)).toBe(`<p>set href="${EVIL}"</p>`);
  });

  it('CSS-escapes in style attributes and <style>, so a value cannot end a declaration or call url()', () => {
    expect(render('<td style="color: {{ customer.metadata.v }}">', '#ff0000')).toBe('<td style="color: #ff0000">');
    expect(render('<td style="font-family: {{ customer.metadata.v }}">', 'Arial, sans-serif')).toBe(
      '<td style="font-family: Arial, sans-serif">',
    );
    const out = render('<td style="color: {{ customer.metadata.v }}">', 'red; background: url(javascript:alert(1))');
    expect(out).not.toMatch(/[;:(]\s*(background|url|alert)|url\(/);
    expect(out).toBe('<td style="color: red\\3b  background\\3a  url\\28 javascript\\3a alert\\28 1\\29 \\29 ">');
    expect(
      render('<style>.x { color: {{ customer.metadata.v }} }</style>', 'red}</style><script>alert(1)</script>'),
    ).not.toMatch(/<\/style><script>/);
  });

  it('drops values in event handlers, scripts and between attributes', () => {
    expect(render('<a onclick="track({{ customer.metadata.v }})">x</a>', 'alert(1)')).toBe(
      '<a onclick="track()">x</a>',
    );
    expect(
      render('<script>var a = "{{ customer.metadata.v }}";</script><p>{{ customer.metadata.v }}</p>', '";alert(1);"'),
    ).toBe('<script>var a = "";</script><p>&quot;;alert(1);&quot;</p>');
    expect(render('<td {{ customer.metadata.v }}>', 'onmouseover=alert(1)')).toBe('<td >');
  });

  it('reads contexts from the template alone: comments, raw text and values do not confuse it', () => {
    const { parts } = parseTemplate(
      '<!-- <a href="{{ a }}"> --><p title="{{ b }}">{{ c }}</p><style>p{}</style><a href={{ d }} title="{{ e }}">',
    );
    expect(placeholderContexts(parts)).toEqual([
      { kind: 'comment' },
      { kind: 'attribute', name: 'title', quote: '"', atStart: true },
      { kind: 'text' },
      { kind: 'attribute', name: 'href', quote: '', atStart: true },
      { kind: 'attribute', name: 'title', quote: '"', atStart: true },
    ]);
    // A value full of quotes and brackets in one place does not shift the next placeholder's context.
    const out = renderString(
      '<a title="{{ a }}" href="{{ b }}">{{ a }}</a>',
      { a: '"><a href="javascript:x', b: EVIL },
      true,
    );
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;a href=&quot;javascript:x" href="">&quot;&gt;&lt;a href=&quot;javascript:x</a>',
    );
  });
});
