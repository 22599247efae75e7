import type { MessageTemplate } from '../models/distribution';
import { parseTemplate } from './parse';

export interface RenderedMessage {
  subject?: string;
  html?: string;
  text?: string;
}

/**
 * Fills a template's fields from `variables`. Values are HTML-escaped in `html` and kept raw
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
    out += html ? escapeHtml(shown) : shown;
  }
  return out;
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
