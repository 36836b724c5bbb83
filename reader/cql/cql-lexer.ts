/**
 * A small CQL tokenizer shared by the CQL type parser and the schema.cql parser: identifiers (unquoted
 * ones lower-cased, `"quoted"` ones verbatim with `""` escapes), `'strings'` with `''` escapes and
 * `$$...$$` strings, numbers, UUID literals, `0x` blobs, punctuation, and `--`, `//` and `/* *\/`
 * comments. Every token carries its 1-based line and column. Follows the lexer rules of
 * src/antlr/Lexer.g in apache/cassandra.
 */

import { DatamoveError } from '../../core/index.js';

/** Token kinds. `ident` values are lower-cased; `qident` values keep their case. */
export type CqlTokenKind = 'ident' | 'qident' | 'string' | 'number' | 'uuid' | 'hex' | 'punct' | 'eof';

/** One token. `value` is the decoded text: identifier name, string content, number text, punctuation. */
export interface CqlToken {
  readonly kind: CqlTokenKind;
  readonly value: string;
  readonly line: number;
  readonly column: number;
}

const UUID_RE =
  /[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![0-9a-zA-Z_])/y;
const NUMBER_RE = /-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?![0-9a-zA-Z_])/y;
const HEX_RE = /0[xX][0-9a-fA-F]*(?![0-9a-zA-Z_])/y;
const IDENT_RE = /[a-zA-Z_][a-zA-Z0-9_]*/y;
/** Digits glued to letters (a duration literal such as `1h30m`): kept as one identifier-like token. */
const WORD_RE = /[0-9][0-9a-zA-Z_]*/y;

/** Builds the error thrown for malformed CQL at a line/column. */
export function cqlSyntaxError(what: string, line: number, column: number, source = 'cql'): DatamoveError {
  return new DatamoveError('DataInvalid', `cql: ${source} line ${line} column ${column}: ${what}`, {
    context: { line, column },
  });
}

/** Splits CQL text into tokens; the last token is always `eof`. */
export function tokenizeCql(text: string, source = 'cql'): CqlToken[] {
  const out: CqlToken[] = [];
  let pos = 0;
  let line = 1;
  let lineStart = 0;
  const n = text.length;

  const advanceTo = (end: number): void => {
    for (let i = pos; i < end; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    pos = end;
  };

  while (pos < n) {
    const c = text.charAt(pos);
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\f') {
      advanceTo(pos + 1);
      continue;
    }
    if ((c === '-' && text.charAt(pos + 1) === '-') || (c === '/' && text.charAt(pos + 1) === '/')) {
      let end = text.indexOf('\n', pos);
      if (end < 0) end = n;
      advanceTo(end);
      continue;
    }
    if (c === '/' && text.charAt(pos + 1) === '*') {
      const end = text.indexOf('*/', pos + 2);
      if (end < 0) throw cqlSyntaxError('unterminated comment', line, pos - lineStart + 1, source);
      advanceTo(end + 2);
      continue;
    }
    const tokLine = line;
    const tokCol = pos - lineStart + 1;
    const push = (kind: CqlTokenKind, value: string, end: number): void => {
      out.push({ kind, value, line: tokLine, column: tokCol });
      advanceTo(end);
    };

    if (c === "'") {
      let value = '';
      let i = pos + 1;
      for (;;) {
        const q = text.indexOf("'", i);
        if (q < 0) throw cqlSyntaxError('unterminated string literal', tokLine, tokCol, source);
        value += text.substring(i, q);
        if (text.charAt(q + 1) === "'") {
          value += "'";
          i = q + 2;
          continue;
        }
        push('string', value, q + 1);
        break;
      }
      continue;
    }
    if (c === '$' && text.charAt(pos + 1) === '$') {
      const end = text.indexOf('$$', pos + 2);
      if (end < 0) throw cqlSyntaxError('unterminated $$ string', tokLine, tokCol, source);
      push('string', text.substring(pos + 2, end), end + 2);
      continue;
    }
    if (c === '"') {
      let value = '';
      let i = pos + 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw cqlSyntaxError('unterminated quoted identifier', tokLine, tokCol, source);
        value += text.substring(i, q);
        if (text.charAt(q + 1) === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        push('qident', value, q + 1);
        break;
      }
      continue;
    }
    UUID_RE.lastIndex = pos;
    let m = UUID_RE.exec(text);
    if (m !== null) {
      push('uuid', m[0].toLowerCase(), pos + m[0].length);
      continue;
    }
    HEX_RE.lastIndex = pos;
    m = HEX_RE.exec(text);
    if (m !== null) {
      push('hex', m[0], pos + m[0].length);
      continue;
    }
    if ((c >= '0' && c <= '9') || c === '.' || (c === '-' && /[0-9.]/.test(text.charAt(pos + 1)))) {
      NUMBER_RE.lastIndex = pos;
      m = NUMBER_RE.exec(text);
      if (m !== null && m[0] !== '-' && m[0] !== '.') {
        push('number', m[0], pos + m[0].length);
        continue;
      }
    }
    IDENT_RE.lastIndex = pos;
    m = IDENT_RE.exec(text);
    if (m === null) {
      WORD_RE.lastIndex = pos;
      m = WORD_RE.exec(text);
    }
    if (m !== null) {
      push('ident', m[0].toLowerCase(), pos + m[0].length);
      continue;
    }
    if ('(){}[]<>,;:.=+-*?!/'.includes(c)) {
      // Two-character operators the schema grammar may meet (e.g. in WHERE clauses of views).
      const two = text.substring(pos, pos + 2);
      if (two === '!=' || two === '<=' || two === '>=') {
        push('punct', two, pos + 2);
        continue;
      }
      push('punct', c, pos + 1);
      continue;
    }
    throw cqlSyntaxError(`unexpected character ${JSON.stringify(c)}`, tokLine, tokCol, source);
  }
  out.push({ kind: 'eof', value: '', line, column: pos - lineStart + 1 });
  return out;
}

/** A cursor over a token list with the helpers both parsers use. */
export class CqlTokenStream {
  private i = 0;
  constructor(
    private readonly tokens: readonly CqlToken[],
    readonly source = 'cql',
  ) {}

  peek(offset = 0): CqlToken {
    const j = Math.min(this.i + offset, this.tokens.length - 1);
    return this.tokens[j]!;
  }

  next(): CqlToken {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  /** True (and consumes it) if the next token is the keyword `kw` (unquoted, case-insensitive). */
  acceptKeyword(kw: string): boolean {
    const t = this.peek();
    if (t.kind === 'ident' && t.value === kw) {
      this.i++;
      return true;
    }
    return false;
  }

  isKeyword(kw: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'ident' && t.value === kw;
  }

  expectKeyword(kw: string): void {
    if (!this.acceptKeyword(kw)) this.fail(`expected ${kw.toUpperCase()}`);
  }

  acceptPunct(p: string): boolean {
    const t = this.peek();
    if (t.kind === 'punct' && t.value === p) {
      this.i++;
      return true;
    }
    return false;
  }

  isPunct(p: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'punct' && t.value === p;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) this.fail(`expected '${p}'`);
  }

  /** An identifier (unquoted lower-cased, or quoted verbatim). */
  identifier(what = 'identifier'): string {
    const t = this.peek();
    if (t.kind !== 'ident' && t.kind !== 'qident') this.fail(`expected ${what}`);
    this.i++;
    return t.value;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  fail(what: string, at: CqlToken = this.peek()): never {
    const found = at.kind === 'eof' ? 'end of input' : JSON.stringify(at.value);
    throw cqlSyntaxError(`${what}, found ${found}`, at.line, at.column, this.source);
  }
}
