import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { CqlTokenStream, tokenizeCql } from './cql-lexer.js';

const kinds = (s: string) => tokenizeCql(s).map((t) => [t.kind, t.value]);

describe('tokenizeCql', () => {
  it('tokenizes identifiers, strings, numbers, uuids, blobs and punctuation', () => {
    expect(
      kinds(`Foo "Bar ""x""" 'it''s' $$a'b$$ -1.5e3 42 5a1c395e-b41f-11e5-9f22-BA0BE0483C18 0xCAFE {}<>;`),
    ).toEqual([
      ['ident', 'foo'],
      ['qident', 'Bar "x"'],
      ['string', "it's"],
      ['string', "a'b"],
      ['number', '-1.5e3'],
      ['number', '42'],
      ['uuid', '5a1c395e-b41f-11e5-9f22-ba0be0483c18'],
      ['hex', '0xCAFE'],
      ['punct', '{'],
      ['punct', '}'],
      ['punct', '<'],
      ['punct', '>'],
      ['punct', ';'],
      ['eof', ''],
    ]);
  });

  it('skips comments and tracks lines and columns', () => {
    const toks = tokenizeCql('-- c\n// d\n  /* multi\nline */ a\n\tb');
    expect(toks.map((t) => [t.value, t.line, t.column])).toEqual([
      ['a', 4, 9],
      ['b', 5, 2],
      ['', 5, 3],
    ]);
    expect(kinds('1h30m')).toEqual([
      ['ident', '1h30m'],
      ['eof', ''],
    ]);
  });

  it('rejects unterminated literals and unknown characters with positions', () => {
    expect(() => tokenizeCql("x 'abc")).toThrow(/line 1 column 3: unterminated string literal/);
    expect(() => tokenizeCql('\n "abc')).toThrow(/line 2 column 2: unterminated quoted identifier/);
    expect(() => tokenizeCql('a # b')).toThrow(DatamoveError);
  });

  it('the token stream reports what it expected', () => {
    const ts = new CqlTokenStream(tokenizeCql('create table'), 'schema');
    expect(ts.acceptKeyword('create')).toBe(true);
    expect(ts.isKeyword('table')).toBe(true);
    expect(() => ts.expectPunct('(')).toThrow(/cql: schema line 1 column 8: expected '\(', found "table"/);
  });
});
