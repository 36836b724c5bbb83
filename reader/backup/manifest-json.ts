/**
 * Parsing JSON written by backup tools: decoded, parsed without losing 64-bit integers (Murmur3 tokens
 * exceed 2^53: Scylla Manager and Medusa write them as JSON numbers), and validated with a zod schema.
 * Every failure is one line naming the object: `medusa: n1/b1/meta/manifest.json: not valid JSON
 * (Unexpected token …)`.
 */
import type { z } from 'zod';
import { DatamoveError } from '../../core/index.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Rewrites integer literals of more than 15 digits outside strings as JSON strings, so `JSON.parse`
 * keeps them exact. (Node 20 has no `JSON.parse` source-text access.)
 */
export function jsonQuoteBigIntegers(text: string): string {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
      i++;
      continue;
    }
    if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      let j = i + (c === 45 ? 1 : 0);
      while (j < text.length && text.charCodeAt(j) >= 48 && text.charCodeAt(j) <= 57) j++;
      const digits = j - i - (c === 45 ? 1 : 0);
      const next = text[j];
      if (digits > 15 && next !== '.' && next !== 'e' && next !== 'E') {
        out += `${text.slice(last, i)}"${text.slice(i, j)}"`;
        last = j;
      }
      i = j;
      continue;
    }
    i++;
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * Parses and validates a manifest. `where` starts the message (`scylla-manager: backup/meta/…`).
 */
export function manifestParse<S extends z.ZodType>(
  schema: S,
  bytes: Uint8Array | string,
  where: string,
): z.output<S> {
  const text = typeof bytes === 'string' ? bytes : utf8.decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(jsonQuoteBigIntegers(text));
  } catch (e) {
    throw new DatamoveError(
      'DataInvalid',
      `${where}: not valid JSON (${(e as Error).message.split('\n')[0]})`,
      {
        context: { key: where },
        cause: e,
      },
    );
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const at = issue.path.length === 0 ? '' : ` at ${issue.path.map(String).join('.')}`;
    throw new DatamoveError('DataInvalid', `${where}: unexpected content${at}: ${issue.message}`, {
      context: { key: where },
    });
  }
  return r.data;
}

/** A token as a decimal string, from a JSON number or string. */
export function tokenString(t: string | number): string {
  if (typeof t === 'number' && !Number.isSafeInteger(t)) {
    throw new DatamoveError('DataInvalid', `backup: token ${t} is not an exact integer`, { context: {} });
  }
  return String(t);
}
