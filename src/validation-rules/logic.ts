/**
 * Voucherify's rule `logic`: rule numbers combined with `and` / `or` (case-insensitive)
 * and parentheses; `and` binds tighter than `or`. Pure: parse once, evaluate per request.
 */
export type LogicNode = { kind: 'ref'; id: string } | { kind: 'and' | 'or'; left: LogicNode; right: LogicNode };

export class LogicSyntaxError extends Error {}

type Token = { type: 'id'; value: string } | { type: 'and' | 'or' | '(' | ')' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|([A-Za-z]+)|([0-9]+))/y;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    re.lastIndex = pos;
    const m = re.exec(text);
    if (!m) throw new LogicSyntaxError(`unexpected character at ${pos}: "${text.slice(pos).trim().slice(0, 10)}"`);
    pos = re.lastIndex;
    if (m[1]) tokens.push({ type: '(' });
    else if (m[2]) tokens.push({ type: ')' });
    else if (m[3]) {
      const word = m[3].toLowerCase();
      if (word !== 'and' && word !== 'or') throw new LogicSyntaxError(`unknown operator "${m[3]}"`);
      tokens.push({ type: word });
    } else tokens.push({ type: 'id', value: m[4]! });
  }
  return tokens;
}

export function parseLogic(text: string): LogicNode {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const expr = (): LogicNode => {
    let left = term();
    while (peek()?.type === 'or') {
      i++;
      left = { kind: 'or', left, right: term() };
    }
    return left;
  };
  const term = (): LogicNode => {
    let left = factor();
    while (peek()?.type === 'and') {
      i++;
      left = { kind: 'and', left, right: factor() };
    }
    return left;
  };
  const factor = (): LogicNode => {
    const t = tokens[i++];
    if (!t) throw new LogicSyntaxError('unexpected end of expression');
    if (t.type === 'id') return { kind: 'ref', id: t.value };
    if (t.type === '(') {
      const inner = expr();
      if (tokens[i++]?.type !== ')') throw new LogicSyntaxError('missing ")"');
      return inner;
    }
    throw new LogicSyntaxError(`unexpected "${t.type}"`);
  };
  if (tokens.length === 0) throw new LogicSyntaxError('empty expression');
  const tree = expr();
  if (i < tokens.length) throw new LogicSyntaxError(`unexpected "${tokens[i]!.type}" after expression`);
  return tree;
}

/** Rule numbers the expression mentions. */
export function logicRefs(node: LogicNode): string[] {
  return node.kind === 'ref' ? [node.id] : [...logicRefs(node.left), ...logicRefs(node.right)];
}

export function evaluateLogic(node: LogicNode, value: (id: string) => boolean): boolean {
  if (node.kind === 'ref') return value(node.id);
  if (node.kind === 'and') return evaluateLogic(node.left, value) && evaluateLogic(node.right, value);
  return evaluateLogic(node.left, value) || evaluateLogic(node.right, value);
}
