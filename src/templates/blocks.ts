import { z } from 'zod';

/**
 * The message editor's model of an email: a list of blocks plus page-level style, compiled to
 * MJML (then HTML). Values are checked here so the generated MJML is always valid: colours are
 * hex, sizes are numbers, links are http(s)/mailto URLs or a `{{ variable }}`.
 */

const color = z.string().regex(/^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'a hex colour such as #1a2b3c');
const align = z.enum(['left', 'center', 'right']);
const px = (max: number) => z.number().int().min(0).max(max);

/** A link or image address: `{{ variable }}` placeholders are allowed, quotes and angle brackets are not (they would break out of the attribute). */
export const linkInput = z
  .string()
  .trim()
  .min(1)
  .max(2_000)
  .refine(
    (s) => /^(https?:\/\/|mailto:|\{\{)/i.test(s),
    'must start with http://, https://, mailto: or a {{ variable }}',
  )
  .refine(
    (s) => !/["'<>\s]/.test(s.replace(/\{\{[^}]*\}\}/g, '')),
    'must not contain quotes, angle brackets or spaces',
  );

const SOCIAL_NETWORKS = ['linkedin', 'facebook', 'instagram', 'x', 'twitter', 'youtube'] as const;

const headerBlock = z.strictObject({
  type: z.literal('header'),
  logo_url: linkInput,
  alt: z.string().max(200).optional(),
  link: linkInput.optional(),
  logo_width: px(600).optional().describe('px; default 150'),
  background_color: color.optional(),
  align: align.optional(),
});

const textBlock = z.strictObject({
  type: z.literal('text'),
  content: z
    .string()
    .min(1)
    .max(20_000)
    .describe('Text with {{ variables }} and inline HTML: b, strong, i, em, u, a href, br, span style, p'),
  font_size: px(72).optional(),
  line_height: z.number().min(0.5).max(4).optional(),
  color: color.optional(),
  align: z.enum(['left', 'center', 'right', 'justify']).optional(),
});

const imageBlock = z.strictObject({
  type: z.literal('image'),
  src: linkInput,
  alt: z.string().max(500).optional(),
  width: px(600).optional().describe('px'),
  link: linkInput.optional(),
  align: align.optional(),
});

const buttonBlock = z.strictObject({
  type: z.literal('button'),
  label: z.string().min(1).max(200),
  link: linkInput,
  background_color: color.optional(),
  color: color.optional(),
  size: z.enum(['small', 'medium', 'large']).optional(),
  width: px(600).optional().describe('px; unset, as wide as its label'),
  align: align.optional(),
  border_radius: px(100).optional(),
});

const dividerBlock = z.strictObject({
  type: z.literal('divider'),
  width: z.number().int().min(1).max(100).optional().describe('percent of the content width'),
  color: color.optional(),
  thickness: px(20).optional(),
});

const socialBlock = z.strictObject({
  type: z.literal('social'),
  links: z
    .partialRecord(z.enum(SOCIAL_NETWORKS), linkInput)
    .refine((l) => Object.keys(l).length > 0, 'at least one network'),
  align: align.optional(),
  icon_size: px(64).optional(),
});

const spacerBlock = z.strictObject({ type: z.literal('spacer'), height: px(400).optional() });

const footerBlock = z.strictObject({
  type: z.literal('footer'),
  content: z.string().min(1).max(5_000),
  color: color.optional(),
  background_color: color.optional(),
  font_size: px(72).optional(),
  align: align.optional(),
});

export const blockInput = z
  .discriminatedUnion('type', [
    headerBlock,
    textBlock,
    imageBlock,
    buttonBlock,
    dividerBlock,
    socialBlock,
    spacerBlock,
    footerBlock,
  ])
  .superRefine((block, ctx) => {
    if (block.type !== 'text' && block.type !== 'footer') return;
    for (const reason of inlineHtmlProblems(block.content))
      ctx.addIssue({ code: 'custom', path: ['content'], message: reason });
  });

export const emailStyleInput = z.strictObject({
  background_color: color.optional(),
  content_background_color: color.optional(),
  border: z.strictObject({ width: px(20), color, radius: px(50).optional() }).optional(),
  font_family: z
    .string()
    .max(200)
    .regex(/^[\w\s,'-]+$/, 'font names separated by commas')
    .optional(),
  width: z.number().int().min(320).max(1_000).optional().describe('px; default 600'),
});

export const blocksInput = z.array(blockInput).min(1).max(200);

export type EmailBlock = z.infer<typeof blockInput>;
export type EmailStyle = z.infer<typeof emailStyleInput>;

const INLINE_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'a', 'br', 'span', 'p']);
const STYLE_PROPERTIES = new Set([
  'color',
  'background-color',
  'font-size',
  'font-weight',
  'font-style',
  'text-decoration',
  'text-align',
  'line-height',
  'font-family',
]);

/** Why the text's inline HTML is outside the safe subset (no scripts, handlers, or arbitrary CSS); empty when fine. */
export function inlineHtmlProblems(content: string): string[] {
  const problems: string[] = [];
  const withoutVars = content.replace(/\{\{[\s\S]*?\}\}/g, 'x');
  for (const m of withoutVars.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^<>]*)>|</g)) {
    if (m[2] === undefined) {
      problems.push('a "<" that starts no allowed tag; write &lt;');
      continue;
    }
    const tag = m[2].toLowerCase();
    if (!INLINE_TAGS.has(tag)) {
      problems.push(`<${tag}> is not allowed; use b, strong, i, em, u, a, br, span or p`);
      continue;
    }
    if (m[1]) continue;
    for (const attr of (m[3] ?? '').matchAll(/([^\s=/]+)(?:\s*=\s*("([^"]*)"|'([^']*)'|[^\s"'>]+))?/g)) {
      const name = attr[1]!.toLowerCase();
      const value = attr[3] ?? attr[4] ?? attr[2] ?? '';
      if (tag === 'a' && name === 'href') {
        if (!/^(https?:\/\/|mailto:|x$)/i.test(value))
          problems.push(`link "${value}" must be http(s), mailto or a {{ variable }}`);
      } else if (tag === 'a' && name === 'target') {
      } else if (name === 'style') {
        for (const decl of value
          .split(';')
          .map((d) => d.trim())
          .filter(Boolean)) {
          const [prop = '', ...rest] = decl.split(':');
          const val = rest.join(':');
          if (!STYLE_PROPERTIES.has(prop.trim().toLowerCase()) || /url\(|expression|[<>]/i.test(val))
            problems.push(`style "${decl}" is not allowed`);
        }
      } else {
        problems.push(`attribute ${name} is not allowed on <${tag}>`);
      }
    }
  }
  return problems;
}

/** Escapes a value for an MJML attribute; `{{ }}` placeholders pass through (they hold no quotes: see linkInput). */
function attr(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

function text(value: string): string {
  return value
    .replace(/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

function attrs(pairs: Record<string, string | number | undefined>): string {
  return Object.entries(pairs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${attr(v)}"`)
    .join('');
}

const BUTTON_SIZES = {
  small: { 'font-size': '13px', 'inner-padding': '8px 16px' },
  medium: { 'font-size': '15px', 'inner-padding': '12px 24px' },
  large: { 'font-size': '18px', 'inner-padding': '16px 32px' },
};

/** mjml's social elements; `-noshare` ones link to the profile itself rather than to a share dialog. */
const SOCIAL_ELEMENT: Record<(typeof SOCIAL_NETWORKS)[number], { name: string; label: string }> = {
  linkedin: { name: 'linkedin-noshare', label: 'LinkedIn' },
  facebook: { name: 'facebook-noshare', label: 'Facebook' },
  instagram: { name: 'instagram', label: 'Instagram' },
  x: { name: 'x-noshare', label: 'X' },
  twitter: { name: 'twitter-noshare', label: 'Twitter' },
  youtube: { name: 'youtube', label: 'YouTube' },
};

function blockMjml(block: EmailBlock, style: EmailStyle): string {
  const section = (inner: string, background?: string) =>
    `    <mj-section${attrs({ 'background-color': background, padding: '0px' })}>\n      <mj-column>\n${inner}\n      </mj-column>\n    </mj-section>`;
  switch (block.type) {
    case 'header':
      return section(
        `        <mj-image${attrs({ src: block.logo_url, alt: block.alt ?? '', href: block.link, width: `${block.logo_width ?? 150}px`, align: block.align ?? 'center', padding: '20px' })} />`,
        block.background_color,
      );
    case 'text':
      return section(
        `        <mj-text${attrs({ 'font-size': block.font_size !== undefined ? `${block.font_size}px` : undefined, 'line-height': block.line_height, color: block.color, align: block.align })}>${block.content}</mj-text>`,
      );
    case 'image':
      return section(
        `        <mj-image${attrs({ src: block.src, alt: block.alt ?? '', width: block.width !== undefined ? `${block.width}px` : undefined, href: block.link, align: block.align })} />`,
      );
    case 'button': {
      const size = BUTTON_SIZES[block.size ?? 'medium'];
      return section(
        `        <mj-button${attrs({
          href: block.link,
          'background-color': block.background_color ?? '#1a73e8',
          color: block.color ?? '#ffffff',
          'border-radius': `${block.border_radius ?? 4}px`,
          width: block.width !== undefined ? `${block.width}px` : undefined,
          align: block.align ?? 'center',
          ...size,
        })}>${text(block.label)}</mj-button>`,
      );
    }
    case 'divider':
      return section(
        `        <mj-divider${attrs({ width: `${block.width ?? 100}%`, 'border-color': block.color ?? '#dddddd', 'border-width': `${block.thickness ?? 1}px` })} />`,
      );
    case 'social': {
      const links = Object.entries(block.links) as Array<[(typeof SOCIAL_NETWORKS)[number], string]>;
      const elements = links.map(
        ([network, href]) =>
          `          <mj-social-element${attrs({ name: SOCIAL_ELEMENT[network].name, href, alt: SOCIAL_ELEMENT[network].label })}></mj-social-element>`,
      );
      return section(
        `        <mj-social${attrs({ align: block.align ?? 'center', mode: 'horizontal', 'icon-size': `${block.icon_size ?? 24}px` })}>\n${elements.join('\n')}\n        </mj-social>`,
      );
    }
    case 'spacer':
      return section(`        <mj-spacer${attrs({ height: `${block.height ?? 20}px` })} />`);
    case 'footer':
      return section(
        `        <mj-text${attrs({ color: block.color ?? '#777777', 'font-size': `${block.font_size ?? 12}px`, align: block.align ?? 'center' })}>${block.content}</mj-text>`,
        block.background_color ?? style.content_background_color,
      );
  }
}

/** The MJML document of an editor template; its `{{ }}` placeholders are kept for per-message substitution. */
export function blocksToMjml(blocks: readonly EmailBlock[], style: EmailStyle = {}): string {
  const border = style.border;
  const wrapperAttrs = attrs({
    'background-color': style.content_background_color ?? '#ffffff',
    padding: '0px',
    border: border ? `${border.width}px solid ${border.color}` : undefined,
    'border-radius': border?.radius !== undefined ? `${border.radius}px` : undefined,
  });
  return [
    '<mjml>',
    '  <mj-head>',
    `    <mj-attributes><mj-all${attrs({ 'font-family': style.font_family ?? 'Helvetica, Arial, sans-serif' })} /></mj-attributes>`,
    '  </mj-head>',
    `  <mj-body${attrs({ 'background-color': style.background_color ?? '#f4f4f4', width: `${style.width ?? 600}px` })}>`,
    `  <mj-wrapper${wrapperAttrs}>`,
    ...blocks.map((b) => blockMjml(b, style)),
    '  </mj-wrapper>',
    '  </mj-body>',
    '</mjml>',
  ].join('\n');
}
