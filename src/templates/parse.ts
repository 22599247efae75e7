/** A piece of a template: literal text, or a `{{ path | default: "…" }}` placeholder. */
export type TemplatePart =
  | { kind: 'text'; value: string }
  | { kind: 'var'; path: string; fallback?: string; line: number; source: string };

export interface ParseProblem {
  /** 1-based line of the `{{` the problem starts at. */
  line: number;
  reason: string;
}

const EXPRESSION =
  /^([A-Za-z_][\w]*(?:\.[\w-]+)*)\s*(?:\|\s*default\s*:\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'))?$/;

/**
 * Splits a template into text and placeholders. Never throws: what it cannot read stays
 * literal text and is reported as a problem, so rendering and validation agree.
 */
export function parseTemplate(source: string): { parts: TemplatePart[]; problems: ParseProblem[] } {
  const parts: TemplatePart[] = [];
  const problems: ParseProblem[] = [];
  let pos = 0;
  let text = '';
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    if (open < 0) break;
    const line = lineAt(source, open);
    const close = source.indexOf('}}', open + 2);
    if (close < 0) {
      problems.push({ line, reason: 'unclosed "{{"' });
      break;
    }
    const nextOpen = source.indexOf('{{', open + 2);
    if (nextOpen >= 0 && nextOpen < close) {
      // `{{ a {{ b }}`: the first one is never closed.
      problems.push({ line, reason: 'unclosed "{{"' });
      text += source.slice(pos, nextOpen);
      pos = nextOpen;
      continue;
    }
    const inner = source.slice(open + 2, close).trim();
    const match = EXPRESSION.exec(inner);
    text += source.slice(pos, open);
    if (!match) {
      problems.push({
        line,
        reason:
          inner === ''
            ? 'empty "{{ }}"'
            : `cannot read "{{ ${inner} }}"; expected {{ path }} or {{ path | default: "text" }}`,
      });
      text += source.slice(open, close + 2);
    } else {
      if (text) parts.push({ kind: 'text', value: text });
      text = '';
      const quoted = match[2] ?? match[3];
      parts.push({
        kind: 'var',
        path: match[1]!,
        ...(quoted !== undefined ? { fallback: quoted.replace(/\\(.)/g, '$1') } : {}),
        line,
        source: source.slice(open, close + 2),
      });
    }
    pos = close + 2;
  }
  text += source.slice(pos);
  if (text) parts.push({ kind: 'text', value: text });
  return { parts, problems };
}

function lineAt(source: string, index: number): number {
  let line = 1;
  for (let i = source.indexOf('\n'); i >= 0 && i < index; i = source.indexOf('\n', i + 1)) line++;
  return line;
}
