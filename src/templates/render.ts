import type { MessageTemplate } from '../models/distribution';
import { blocksToMjml } from './blocks';
import { htmlToText } from './html-to-text';
import { compileMjml } from './mjml';
import { placeholderContexts, type HtmlContext } from './html-context';
import { parseTemplate, type TemplatePart } from './parse';

export interface RenderedMessage {
  subject?: string;
  html?: string;
  text?: string;
}

/**
 * Any template, MJML and editor blocks included: the email body is compiled once per distinct
 * source (cached, placeholders intact), then filled per message like an `html` template. A
 * compiled email without its own `text` gets a plain-text part derived from its HTML.
 */
export async function renderMessage(
  template: MessageTemplate,
  variables: Record<string, unknown>,
): Promise<RenderedMessage> {
  const source = template.mjml ?? (template.blocks ? blocksToMjml(template.blocks, template.style) : undefined);
  if (source === undefined) return renderTemplate(template, variables);
  const compiled = await compileMjml(source);
  const rendered = renderTemplate(
    {
      ...(template.subject !== undefined ? { subject: template.subject } : {}),
      html: compiled,
      ...(template.text !== undefined ? { text: template.text } : {}),
    },
    variables,
  );
  return { ...rendered, text: rendered.text ?? htmlToText(rendered.html!) };
}

/**
 * Fills a template's `subject`, `html` and `text` from `variables` (synchronously: an MJML or
 * blocks body needs `renderMessage`, which compiles it). Values are HTML-escaped in `html` and kept raw
 * in `subject` and `text`; a missing value renders as its default, else as nothing.
 */
export function renderTemplate(template: MessageTemplate, variables: Record<string, unknown>): RenderedMessage {
  return {
    ...(template.subject !== undefined ? { subject: renderString(template.subject, variables, false) } : {}),
    ...(template.html !== undefined ? { html: renderString(template.html, variables, true) } : {}),
    ...(template.text !== undefined ? { text: renderString(template.text, variables, false) } : {}),
  };
}

export function renderString(source: string, variables: Record<string, unknown>, html: boolean): string {
  const { parts, contexts } = html ? htmlTemplate(source) : { parts: parseTemplate(source).parts, contexts: [] };
  let out = '';
  let placeholder = 0;
  for (const part of parts) {
    if (part.kind === 'text') {
      out += part.value;
      continue;
    }
    const value = display(lookup(variables, part.path));
    const shown = value === '' ? (part.fallback ?? '') : value;
    const context = contexts[placeholder++];
    out += html && context ? escapeFor(context, shown) : shown;
  }
  return out;
}

/** Parsed HTML templates with each placeholder's context, by source: a send renders the same one for every customer. */
const htmlTemplates = new Map<string, { parts: TemplatePart[]; contexts: HtmlContext[] }>();
const HTML_TEMPLATE_CACHE = 100;

function htmlTemplate(source: string): { parts: TemplatePart[]; contexts: HtmlContext[] } {
  let hit = htmlTemplates.get(source);
  if (!hit) {
    const { parts } = parseTemplate(source);
    hit = { parts, contexts: placeholderContexts(parts) };
    htmlTemplates.set(source, hit);
    if (htmlTemplates.size > HTML_TEMPLATE_CACHE) htmlTemplates.delete(htmlTemplates.keys().next().value!);
  }
  return hit;
}

/** Attributes whose value is a URL a client may load or navigate to. */
const URL_ATTRIBUTES = new Set([
  'href',
  'src',
  'action',
  'formaction',
  'background',
  'poster',
  'cite',
  'data',
  'srcset',
  'ping',
  'longdesc',
  'usemap',
  'lowsrc',
  'dynsrc',
  'codebase',
  'manifest',
  'icon',
  'xlink:href',
  'archive',
  'classid',
]);
const SAFE_SCHEME = /^(https?:|mailto:|tel:)/i;

/**
 * A value escaped for where it stands: HTML-escaped in text and quoted attributes; every
 * non-alphanumeric character as an entity in an unquoted attribute (a space would end it);
 * a whole URL only with a harmless scheme (a `javascript:` URL from customer metadata would
 * run in webmail), a part of a URL percent-encoded (a code like `A&B` stays one query value);
 * CSS-escaped in `style` and `<style>`; dropped in event handlers, `<script>` and between
 * attributes, where no value of ours belongs.
 */
export function escapeFor(context: HtmlContext, value: string): string {
  switch (context.kind) {
    case 'text':
    case 'comment':
      return escapeHtml(value);
    case 'tag':
    case 'script':
      return '';
    case 'style-element':
      return escapeCss(value);
    case 'attribute': {
      if (context.name.startsWith('on')) return '';
      const v =
        context.name === 'style'
          ? escapeCss(value)
          : URL_ATTRIBUTES.has(context.name)
            ? context.atStart
              ? SAFE_SCHEME.test(value.trim())
                ? value.trim()
                : ''
              : encodeURIComponent(value)
            : value;
      return context.quote ? escapeHtml(v) : escapeUnquotedAttribute(v);
    }
  }
}

/** Colours, sizes and font lists pass (`#ff0000`, `12px`, `Arial, sans-serif`); anything that could end a declaration or call a function is a CSS escape. */
function escapeCss(value: string): string {
  return value.replace(/[^A-Za-z0-9 #.,%-]/gu, (c) => `\\${c.codePointAt(0)!.toString(16)} `);
}

function escapeUnquotedAttribute(value: string): string {
  return value.replace(/[^A-Za-z0-9]/gu, (c) => `&#x${c.codePointAt(0)!.toString(16)};`);
}

/** Walks `a.b.c`; own properties only, so `{{ customer.constructor }}` is just missing. */
export function lookup(variables: Record<string, unknown>, path: string): unknown {
  let current: unknown = variables;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function display(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  // An object where a scalar was meant (e.g. `{{ customer.metadata.address }}`): show its JSON rather than "[object Object]".
  return JSON.stringify(value);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}
