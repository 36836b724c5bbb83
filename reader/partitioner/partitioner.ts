/**
 * Partitioners: map a partition key to the token that orders partitions in an SSTable, and compare tokens.
 * Follows apache/cassandra `dht/IPartitioner.java` and its implementations `dht/Murmur3Partitioner.java`,
 * `dht/RandomPartitioner.java`, `dht/ByteOrderedPartitioner.java` and `dht/OrderPreservingPartitioner.java`;
 * the class names are those recorded in Statistics.db (validation metadata) and cassandra.yaml.
 */

import { DatamoveError } from '../../core/index.js';
import {
  byteOrderedToken,
  byteTokenToString,
  compareByteTokens,
  compareStringTokens,
  orderPreservingToken,
} from './byte-ordered.js';
import { compareMurmur3Tokens, type Murmur3Token, murmur3Token } from './murmur3.js';
import { compareRandomTokens, randomToken } from './random.js';

/**
 * A token. Its representation depends on the partitioner and is opaque to callers, who only hand tokens back
 * to the partitioner that made them:
 * - Murmur3Partitioner: {@link Murmur3Token}, a signed 64-bit value as two 32-bit halves (`hi` signed, `lo`
 *   unsigned). Chosen over `bigint` because building it allocates one small object and comparing it is two
 *   int subtractions, while a bigint token costs several bigint allocations per key.
 * - RandomPartitioner: `bigint` in [0, 2^127], or -1 for the empty key.
 * - ByteOrderedPartitioner: `Uint8Array`, the key bytes.
 * - OrderPreservingPartitioner: `string`, the key as UTF-8 text.
 */
export type Token = Murmur3Token | bigint | Uint8Array | string;

/** Computes and orders the tokens of one Cassandra partitioner. */
export interface Partitioner<T extends Token = Token> {
  /** The Cassandra class name, e.g. `org.apache.cassandra.dht.Murmur3Partitioner`. */
  readonly name: string;
  /** The token of a partition key given as its serialized bytes (as stored in Index.db and Data.db). */
  tokenOf(key: Uint8Array): T;
  /** Token order (the order of partitions in an SSTable): negative, zero or positive. */
  compareTokens(a: T, b: T): number;
  /** The token as Cassandra prints it (`SELECT token(...)`, nodetool): decimal, hex or the text itself. */
  tokenToString(t: T): string;
}

const PACKAGE = 'org.apache.cassandra.dht.';

/** Murmur3Partitioner, the default since Cassandra 1.2. */
export const murmur3Partitioner: Partitioner<Murmur3Token> = {
  name: `${PACKAGE}Murmur3Partitioner`,
  tokenOf: (key) => murmur3Token(key),
  compareTokens: compareMurmur3Tokens,
  tokenToString: (t) => t.toString(),
};

/** RandomPartitioner (MD5). */
export const randomPartitioner: Partitioner<bigint> = {
  name: `${PACKAGE}RandomPartitioner`,
  tokenOf: randomToken,
  compareTokens: compareRandomTokens,
  tokenToString: (t) => t.toString(),
};

/** ByteOrderedPartitioner. */
export const byteOrderedPartitioner: Partitioner<Uint8Array> = {
  name: `${PACKAGE}ByteOrderedPartitioner`,
  tokenOf: byteOrderedToken,
  compareTokens: compareByteTokens,
  tokenToString: byteTokenToString,
};

/** OrderPreservingPartitioner (deprecated in Cassandra, still readable). */
export const orderPreservingPartitioner: Partitioner<string> = {
  name: `${PACKAGE}OrderPreservingPartitioner`,
  tokenOf: orderPreservingToken,
  compareTokens: compareStringTokens,
  tokenToString: (t) => t,
};

const BY_SHORT_NAME: Readonly<Record<string, Partitioner>> = {
  Murmur3Partitioner: murmur3Partitioner as Partitioner,
  RandomPartitioner: randomPartitioner as Partitioner,
  ByteOrderedPartitioner: byteOrderedPartitioner as Partitioner,
  OrderPreservingPartitioner: orderPreservingPartitioner as Partitioner,
};

/**
 * The partitioner for a class name: `org.apache.cassandra.dht.Murmur3Partitioner` or `Murmur3Partitioner`
 * (likewise `RandomPartitioner`, `ByteOrderedPartitioner`, `OrderPreservingPartitioner`).
 *
 * @throws DatamoveError `FeatureUnsupported` for other partitioners (LocalPartitioner, custom classes, ...)
 */
export function partitionerForClass(className: string): Partitioner {
  const short = className.startsWith(PACKAGE) ? className.slice(PACKAGE.length) : className;
  const partitioner = Object.hasOwn(BY_SHORT_NAME, short) ? BY_SHORT_NAME[short] : undefined;
  if (partitioner === undefined) {
    throw new DatamoveError('FeatureUnsupported', `sstable: unsupported partitioner ${className}`, {
      context: { partitionerClass: className },
    });
  }
  return partitioner;
}
