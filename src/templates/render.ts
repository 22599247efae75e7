import type { MessageTemplate } from '../models/distribution';
import { blocksToMjml } from './blocks';
import { htmlToText } from './html-to-text';
import { compileMjml } from './mjml';
import { parseTemplate } from './parse';

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
export async function renderMessage(template: MessageTemplate, variables: Record<string, unknown>): Promise<RenderedMessage> {
  const source = template.mjml ?? (template.blocks ? blocksToMjml(template.blocks, template.style) : undefined);
  if (source === undefined) return renderTemplate(template, variables);
  const compiled = await compileMjml(source);
  const rendered = renderTemplate({ ...(template.subject !== undefined ? { subject: template.subject } : {}), html: compiled, ...(template.text !== undefined ? { text: template.text } : {}) }, variables);
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
  let out = '';
  for (const part of parseTemplate(source).parts) {
    if (part.kind === 'text') {
      out += part.value;
      continue;
    }
    const value = display(lookup(variables, part.path));
    const shown = value === '' ? (part.fallback ?? '') : value;
    out += html ? escapeHtml(inUrl(out, shown)) : shown;
  }
  return out;
}

const URL_ATTRIBUTE = /\s(?:href|src)\s*=\s*["']([^"'<>]*)$/i;
const SAFE_SCHEME = /^(https?:|mailto:|tel:)/i;

/**
 * A value placed in an `href`/`src` attribute: a whole URL must have a harmless scheme (a
 * `javascript:` URL from customer metadata would run in webmail), a value inside a URL is
 * percent-encoded so a code like `A&B` stays one query value. Elsewhere the value is as is.
 */
function inUrl(before: string, value: string): string {
  const attribute = URL_ATTRIBUTE.exec(before.slice(-2_000));
  if (!attribute) return value;
  if (attribute[1] === '') return SAFE_SCHEME.test(value.trim()) ? value.trim() : '';
  return encodeURIComponent(value);
}

/** Walks `a.b.c`; own properties only, so `{{ customer.constructor }}` is just missing. */
export function lookup(variables: Record<string, unknown>, path: string): unknown {
  let current: unknown = variables;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.prototype.hasOwnProperty.call(current, key)) return undefined;
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
