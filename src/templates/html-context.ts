import type { TemplatePart } from './parse';

/**
 * Where in an HTML document a placeholder stands, which decides how its value is escaped:
 * element text, an attribute value (quoted or not; a URL, a style or an event handler),
 * inside a tag between attributes, a `<style>` or `<script>` element, or a comment.
 */
export type HtmlContext =
  | { kind: 'text' }
  | { kind: 'attribute'; name: string; quote: '"' | "'" | ''; atStart: boolean }
  | { kind: 'tag' }
  | { kind: 'style-element' }
  | { kind: 'script' }
  | { kind: 'comment' };

type State =
  | 'data'
  | 'tagOpen'
  | 'tagName'
  | 'beforeAttr'
  | 'attrName'
  | 'afterAttrName'
  | 'beforeValue'
  | 'valueDq'
  | 'valueSq'
  | 'valueUnq'
  | 'comment'
  | 'rawtext';

const SPACE = /[\t\n\f\r ]/;

/**
 * The context of each placeholder of an HTML template, in order: one pass of a small HTML
 * tokenizer over the literal text, each placeholder counting as one character of whatever it
 * stands in. Values are escaped for their context, so they cannot move the following text
 * into another one; the template's own text decides every context.
 */
export function placeholderContexts(parts: readonly TemplatePart[]): HtmlContext[] {
  const contexts: HtmlContext[] = [];
  let state = 'data' as State;
  let tag = '';
  let closing = false;
  let attr = '';
  let valueEmpty = true;
  let rawtextTag = '';
  let pending = ''; // text since `<` or `<!`, to recognise comments and closing raw-text tags

  const endTag = (): State => {
    const name = tag.toLowerCase();
    if (!closing && (name === 'script' || name === 'style' || name === 'textarea' || name === 'title')) {
      rawtextTag = name;
      pending = '';
      return 'rawtext';
    }
    return 'data';
  };

  const step = (c: string): void => {
    switch (state) {
      case 'data':
        if (c === '<') {
          state = 'tagOpen';
          pending = '';
        }
        return;
      case 'tagOpen':
        pending += c;
        if (pending === '!--') {
          state = 'comment';
          pending = '';
        } else if (pending === '!' || pending === '!-') {
          // maybe a comment
        } else if (pending.length === 1 && c === '/') {
          closing = true;
        } else if (/[A-Za-z]/.test(c) && (pending.length === 1 || (closing && pending.length === 2))) {
          if (pending.length === 1) closing = false;
          tag = c;
          state = 'tagName';
        } else {
          // `<` not starting a tag (`a < b`, `<!DOCTYPE`): back to text; a declaration ends at `>`.
          state = pending.startsWith('!') ? 'comment' : 'data';
          if (state === 'comment') pending = '>'; // a bogus comment, closed by the next `>`
        }
        return;
      case 'tagName':
        if (SPACE.test(c) || c === '/') state = 'beforeAttr';
        else if (c === '>') state = endTag();
        else tag += c;
        return;
      case 'beforeAttr':
        if (SPACE.test(c) || c === '/') return;
        if (c === '>') state = endTag();
        else {
          attr = c;
          state = 'attrName';
        }
        return;
      case 'attrName':
        if (SPACE.test(c) || c === '/') state = 'afterAttrName';
        else if (c === '=') state = 'beforeValue';
        else if (c === '>') state = endTag();
        else attr += c;
        return;
      case 'afterAttrName':
        if (SPACE.test(c) || c === '/') return;
        if (c === '=') state = 'beforeValue';
        else if (c === '>') state = endTag();
        else {
          attr = c;
          state = 'attrName';
        }
        return;
      case 'beforeValue':
        valueEmpty = true;
        if (SPACE.test(c)) return;
        if (c === '"') state = 'valueDq';
        else if (c === "'") state = 'valueSq';
        else if (c === '>') state = endTag();
        else {
          state = 'valueUnq';
          valueEmpty = false;
        }
        return;
      case 'valueDq':
      case 'valueSq':
        if (c === (state === 'valueDq' ? '"' : "'")) state = 'beforeAttr';
        else if (!SPACE.test(c) || !valueEmpty) valueEmpty = false;
        return;
      case 'valueUnq':
        if (SPACE.test(c)) state = 'beforeAttr';
        else if (c === '>') state = endTag();
        return;
      case 'comment':
        if (pending === '>') {
          if (c === '>') state = 'data';
          return;
        }
        pending = (pending + c).slice(-3);
        if (pending === '-->') state = 'data';
        return;
      case 'rawtext':
        pending = (pending + c).slice(-(rawtextTag.length + 2));
        if (pending.toLowerCase() === `</${rawtextTag}`) {
          closing = true;
          tag = rawtextTag;
          state = 'tagName';
        }
        return;
    }
  };

  for (const part of parts) {
    if (part.kind === 'text') {
      for (const c of part.value) step(c);
      continue;
    }
    contexts.push(contextAt());
    // The value stands in as one opaque character of the current state.
    if (state === 'beforeValue') {
      state = 'valueUnq';
      valueEmpty = false;
    } else if (state === 'valueDq' || state === 'valueSq' || state === 'valueUnq') {
      valueEmpty = false;
    } else if (state === 'tagOpen') {
      state = 'data';
    } else if (state === 'comment' || state === 'rawtext') {
      pending = '';
    }
  }
  return contexts;

  function contextAt(): HtmlContext {
    switch (state) {
      case 'data':
      case 'tagOpen':
        return { kind: 'text' };
      case 'tagName':
      case 'beforeAttr':
      case 'attrName':
      case 'afterAttrName':
        return { kind: 'tag' };
      case 'beforeValue':
        return { kind: 'attribute', name: attr.toLowerCase(), quote: '', atStart: true };
      case 'valueDq':
      case 'valueSq':
      case 'valueUnq':
        return {
          kind: 'attribute',
          name: attr.toLowerCase(),
          quote: state === 'valueDq' ? '"' : state === 'valueSq' ? "'" : '',
          atStart: valueEmpty,
        };
      case 'comment':
        return { kind: 'comment' };
      case 'rawtext':
        return rawtextTag === 'style'
          ? { kind: 'style-element' }
          : rawtextTag === 'script'
            ? { kind: 'script' }
            : { kind: 'text' };
    }
  }
}
