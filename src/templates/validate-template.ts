import type { MessageTemplate } from '../models/distribution';
import { blocksInput, emailStyleInput } from './blocks';
import { isKnownPath, suggestPath } from './fields';
import { validateMjml } from './mjml';
import { parseTemplate } from './parse';

export interface TemplateProblem {
  /** e.g. `channels.0.template.html` */
  field: string;
  /** 1-based line in that field's text, when the problem is at one place. */
  line?: number;
  reason: string;
}

/** Which families of variables (`voucher`, `order`, …) the sender can fill, and why not; absent: any. */
export interface VariableScope {
  has(root: string): boolean;
  why(root: string): string;
}

const FIELDS = ['subject', 'html', 'text', 'mjml'] as const;

/** Provider types that send email: their templates are checked like `email`'s. Every other type is text-only. */
export const EMAIL_CHANNEL_TYPES: readonly string[] = ['email', 'sendgrid', 'mandrill', 'mailgun'];
/** Text-message channels: a `text` body and nothing else. */
export const SMS_CHANNEL_TYPES: readonly string[] = ['sms', 'twilio', 'cm_telecom', 'textlocal'];

export function isEmailChannel(channelType: string): boolean {
  return EMAIL_CHANNEL_TYPES.includes(channelType);
}

export function isSmsChannel(channelType: string): boolean {
  return SMS_CHANNEL_TYPES.includes(channelType);
}

/**
 * Which templates a channel can send: any email type sends an email template (they are checked
 * alike), any SMS type an SMS one; every other type only its own.
 */
export function channelFamily(channelType: string): string {
  if (isEmailChannel(channelType)) return 'email';
  return isSmsChannel(channelType) ? 'sms' : channelType;
}

function join(field: string, name: string): string {
  return field ? `${field}.${name}` : name;
}

/**
 * Checks a channel's template when a distribution or a saved template is saved: the fields the
 * channel needs, MJML that compiles, editor blocks that match their schema, placeholders that
 * parse, and variables that exist — so a typo fails the save, not the send.
 */
export function validateTemplate(
  channelType: string,
  template: MessageTemplate,
  field: string,
  scope?: VariableScope,
): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const filled = (value: string | undefined): boolean => typeof value === 'string' && value.trim() !== '';
  const bodies = (['html', 'mjml', 'blocks'] as const).filter((k) => template[k] !== undefined);

  if (isEmailChannel(channelType)) {
    if (!filled(template.subject)) problems.push({ field: join(field, 'subject'), reason: 'an email needs a subject' });
    else if (/[\r\n]/.test(template.subject!))
      problems.push({ field: join(field, 'subject'), reason: 'the subject must be a single line' });
    if (!filled(template.html) && !filled(template.text) && !filled(template.mjml) && template.blocks === undefined) {
      problems.push({ field: join(field, 'html'), reason: 'an email needs an html, mjml, blocks or text body' });
    }
    if (bodies.length > 1)
      problems.push({ field: join(field, bodies[1]!), reason: `give one email body: ${bodies.join(' or ')}` });
    if (template.style !== undefined && template.blocks === undefined)
      problems.push({ field: join(field, 'style'), reason: 'style applies to a blocks template' });
  } else {
    for (const k of ['mjml', 'blocks', 'style'] as const) {
      if (template[k] !== undefined)
        problems.push({
          field: join(field, k),
          reason: `a ${channelType} template is text: ${k} is for email channels`,
        });
    }
    if (SMS_CHANNEL_TYPES.includes(channelType)) {
      if (!filled(template.text)) problems.push({ field: join(field, 'text'), reason: 'a text message needs a text' });
      for (const k of ['subject', 'html'] as const) {
        if (template[k] !== undefined) problems.push({ field: join(field, k), reason: `a text message has no ${k}` });
      }
    }
  }

  for (const name of FIELDS) {
    const source = template[name];
    if (source === undefined) continue;
    if (typeof source !== 'string') {
      problems.push({ field: join(field, name), reason: 'must be a string' });
      continue;
    }
    problems.push(...placeholderProblems(source, join(field, name), scope));
    if (name === 'mjml' && isEmailChannel(channelType)) {
      for (const p of validateMjml(source))
        problems.push({
          field: join(field, name),
          ...(p.line !== undefined ? { line: p.line } : {}),
          reason: p.reason,
        });
    }
  }

  if (template.blocks !== undefined && isEmailChannel(channelType))
    problems.push(...blocksProblems(template.blocks, join(field, 'blocks'), scope));
  if (template.style !== undefined && isEmailChannel(channelType)) {
    const parsed = emailStyleInput.safeParse(template.style);
    if (!parsed.success)
      for (const issue of parsed.error.issues)
        problems.push({ field: [join(field, 'style'), ...issue.path.map(String)].join('.'), reason: issue.message });
  }
  return problems;
}

/** Syntax, unknown variables and variables out of scope of one text, with their lines. */
function placeholderProblems(source: string, field: string, scope: VariableScope | undefined): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const { parts, problems: syntax } = parseTemplate(source);
  for (const p of syntax) problems.push({ field, line: p.line, reason: p.reason });
  for (const part of parts) {
    if (part.kind !== 'var') continue;
    if (isKnownPath(part.path)) {
      const root = part.path.split('.')[0]!;
      if (scope && !scope.has(root))
        problems.push({ field, line: part.line, reason: `variable "${part.path}": ${scope.why(root)}` });
      continue;
    }
    const suggestion = suggestPath(part.path);
    problems.push({
      field,
      line: part.line,
      reason: `unknown variable "${part.path}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
    });
  }
  return problems;
}

/** The blocks' schema (zod, with the failing field's path), then the placeholders in each of their texts and links. */
function blocksProblems(blocks: unknown, field: string, scope: VariableScope | undefined): TemplateProblem[] {
  const parsed = blocksInput.safeParse(blocks);
  if (!parsed.success)
    return parsed.error.issues.map((issue) => ({
      field: [field, ...issue.path.map(String)].join('.'),
      reason: issue.message,
    }));
  const problems: TemplateProblem[] = [];
  parsed.data.forEach((block, i) => {
    for (const [key, value] of Object.entries(block)) {
      if (typeof value === 'string') problems.push(...placeholderProblems(value, `${field}.${i}.${key}`, scope));
      else if (key === 'links' && typeof value === 'object' && value !== null) {
        for (const [network, url] of Object.entries(value))
          if (typeof url === 'string')
            problems.push(...placeholderProblems(url, `${field}.${i}.links.${network}`, scope));
      }
    }
  });
  return problems;
}
