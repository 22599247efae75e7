/**
 * Whether `text` is a plain decimal number: an optional sign, digits with an optional
 * fraction (`12`, `12.`, `12.5`) or a bare fraction (`.5`), and with `exponent` an optional
 * `e±N`. One pass over the text: the regexes it replaces backtracked quadratically on long
 * digit runs (`\d+\.?\d*` against 200 KB of digits blocked the event loop for 30 s).
 */
export function isDecimalText(text: string, options: { plusSign?: boolean; exponent?: boolean } = {}): boolean {
  const n = text.length;
  let i = 0;
  if (text[i] === '-' || (options.plusSign && text[i] === '+')) i++;
  const intStart = i;
  i = skipDigits(text, i);
  const intDigits = i - intStart;
  let fractionDigits = 0;
  if (text[i] === '.') {
    const fractionStart = ++i;
    i = skipDigits(text, i);
    fractionDigits = i - fractionStart;
  }
  if (intDigits === 0 && fractionDigits === 0) return false;
  if (options.exponent && (text[i] === 'e' || text[i] === 'E')) {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    const expStart = i;
    i = skipDigits(text, i);
    if (i === expStart) return false;
  }
  return i === n;
}

function skipDigits(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  return i;
}
