/**
 * Cassandra partitioners (apache/cassandra `dht/*Partitioner.java`): partition key → token, token order.
 */

export {
  byteOrderedToken,
  byteTokenToString,
  compareByteTokens,
  compareStringTokens,
  orderPreservingToken,
} from './byte-ordered.js';
export type { Murmur3Hash128 } from './murmur3.js';
export {
  compareMurmur3Tokens,
  Murmur3Token,
  murmur3Hash128,
  murmur3Token,
  murmur3TokenBigInt,
  murmur3TokenToString,
} from './murmur3.js';
export type { Partitioner, Token } from './partitioner.js';
export {
  byteOrderedPartitioner,
  murmur3Partitioner,
  orderPreservingPartitioner,
  partitionerForClass,
  randomPartitioner,
} from './partitioner.js';
export { compareRandomTokens, RANDOM_MIN_TOKEN, randomToken } from './random.js';
