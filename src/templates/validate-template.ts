import type { MessageTemplate } from '../models/distribution';
import { isKnownPath, suggestPath } from './fields';
import { parseTemplate } from './parse';

export interface TemplateProblem {
  /** e.g. `channels.0.template.html` */
  field: string;
  /** 1-based line in that field's text, when the problem is at one place. */
  line?: number;
  reason: string;
}

const FIELDS = ['subject', 'html', 'text'] as const;

/**
 * Checks a channel's template when a distribution is saved: the fields the channel needs,
 * placeholders that parse, and variables that exist — so a typo fails the save, not the send.
 */
export function validateTemplate(channelType: string, template: MessageTemplate, field: string): TemplateProblem[] {
  const problems: TemplateProblem[] = [];
  const filled = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

  if (channelType === 'email') {
    if (!filled(template.subject)) problems.push({ field: `${field}.subject`, reason: 'an email needs a subject' });
    else if (/[\r\n]/.test(template.subject!)) problems.push({ field: `${field}.subject`, reason: 'the subject must be a single line' });
    if (!filled(template.html) && !filled(template.text)) problems.push({ field: `${field}.html`, reason: 'an email needs an html or a text body' });
  }

  for (const name of FIELDS) {
    const source = template[name];
    if (source === undefined) continue;
    if (typeof source !== 'string') {
      problems.push({ field: `${field}.${name}`, reason: 'must be a string' });
      continue;
    }
    const { parts, problems: syntax } = parseTemplate(source);
    for (const p of syntax) problems.push({ field: `${field}.${name}`, line: p.line, reason: p.reason });
    for (const part of parts) {
      if (part.kind !== 'var' || isKnownPath(part.path)) continue;
      const suggestion = suggestPath(part.path);
      problems.push({
        field: `${field}.${name}`,
        line: part.line,
        reason: `unknown variable "${part.path}"${suggestion ? `; did you mean "${suggestion}"?` : ''}`,
      });
    }
  }
  return problems;
}
