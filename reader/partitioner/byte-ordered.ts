/**
 * ByteOrderedPartitioner and OrderPreservingPartitioner tokens: apache/cassandra
 * `dht/ByteOrderedPartitioner.java` (the token is the key bytes, compared as unsigned bytes, printed as hex)
 * and `dht/OrderPreservingPartitioner.java` (the token is the key decoded as UTF-8, or its hex when it is not UTF-8, compared as a Java
 * String, i.e. by UTF-16 code units, which is also how JavaScript compares strings). The empty key gives
 * the minimum token of both (empty bytes, empty string).
 */

/** The ByteOrderedPartitioner token of `key`: a copy of its bytes (the caller may reuse `key`'s buffer). */
export function byteOrderedToken(key: Uint8Array): Uint8Array {
  return key.slice();
}

/** Orders two byte tokens lexicographically as unsigned bytes (shorter prefix first). */
export function compareByteTokens(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Lower-case hex, as `ByteOrderedPartitioner`'s token factory prints a token. */
export function byteTokenToString(t: Uint8Array): string {
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('hex');
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The OrderPreservingPartitioner token of `key`: the key decoded as UTF-8, or, when the key is not valid
 * UTF-8, its lower-case hex (`getToken` falls back to `ByteBufferUtil.bytesToHex`, CASSANDRA-5793).
 */
export function orderPreservingToken(key: Uint8Array): string {
  try {
    return utf8.decode(key);
  } catch {
    return byteTokenToString(key);
  }
}

/** Orders two string tokens by UTF-16 code units, like `String.compareTo`. */
export function compareStringTokens(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
