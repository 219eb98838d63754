// Where a JSON text first goes wrong, found without echoing any of it. JSON.parse's own message quotes a snippet of
// the text around the error, and in a config file that snippet can be part of a secretAccessKey.

export interface JsonSyntaxPosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like the rest of JavaScript. */
  column: number;
  /** 0-based offset into the text. */
  offset: number;
}

class SyntaxStop {}
const STOP = new SyntaxStop();
const MAX_DEPTH = 512;

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

/** The position of the first JSON syntax error in `text` (RFC 8259 grammar), or undefined when it is valid JSON. */
export function jsonSyntaxErrorPosition(text: string): JsonSyntaxPosition | undefined {
  let i = 0;
  const fail = (): never => {
    throw STOP;
  };
  const space = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined || ch.charCodeAt(0) < 0x20) fail();
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        const next = text[i + 1];
        if (next !== undefined && '"\\/bfnrt'.includes(next)) i += 2;
        else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else {
          i++;
          fail();
        }
      } else i++;
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail();
    space();
    const ch = text[i];
    if (ch === '{' || ch === '[') {
      const close = ch === '{' ? '}' : ']';
      i++;
      space();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (ch === '{') {
          space();
          if (text[i] !== '"') fail();
          string();
          space();
          if (text[i] !== ':') fail();
          i++;
        }
        value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (ch === '"') {
      string();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i)) {
        i += literal.length;
        return;
      }
    }
    number();
  };
  const digits = () => {
    if (!isDigit(text[i])) fail();
    while (isDigit(text[i])) i++;
  };
  const number = () => {
    if (text[i] === '-') i++;
    if (text[i] === '0') i++;
    else digits();
    if (text[i] === '.') {
      i++;
      digits();
    }
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      if (text[i] === '+' || text[i] === '-') i++;
      digits();
    }
  };
  try {
    value(0);
    space();
    if (i < text.length) fail();
    return undefined;
  } catch (error) {
    if (error !== STOP) throw error;
  }
  const before = text.slice(0, i);
  const line = before.split('\n').length;
  return { line, column: i - (before.lastIndexOf('\n') + 1) + 1, offset: i };
}
