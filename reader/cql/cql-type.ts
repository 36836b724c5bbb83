/**
 * CQL types as a small tree. Built from the marshal class names Cassandra writes into Statistics.db
 * (`org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)`) and from the
 * CQL syntax of schema.cql (`frozen<list<int>>`). See db/marshal/*Type.java in apache/cassandra.
 */

export type NativeTypeName =
  | 'ascii'
  | 'text'
  | 'blob'
  | 'boolean'
  | 'tinyint'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'varint'
  | 'float'
  | 'double'
  | 'decimal'
  | 'counter'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'duration'
  | 'uuid'
  | 'timeuuid'
  | 'inet'
  /** EmptyType: the hidden value column of dense COMPACT STORAGE tables; always zero bytes. */
  | 'empty';

export type CqlType =
  | { readonly kind: 'native'; readonly name: NativeTypeName }
  | { readonly kind: 'list' | 'set'; readonly element: CqlType; readonly frozen: boolean }
  | { readonly kind: 'map'; readonly key: CqlType; readonly value: CqlType; readonly frozen: boolean }
  /** Tuples are always frozen. */
  | { readonly kind: 'tuple'; readonly elements: readonly CqlType[] }
  | {
      readonly kind: 'udt';
      readonly keyspace: string;
      readonly name: string;
      readonly fieldNames: readonly string[];
      readonly fieldTypes: readonly CqlType[];
      readonly frozen: boolean;
    }
  | { readonly kind: 'vector'; readonly element: CqlType; readonly dimension: number }
  /** A clustering column with DESC order. */
  | { readonly kind: 'reversed'; readonly inner: CqlType }
  /** A multi-column partition key (CompositeType). */
  | { readonly kind: 'composite'; readonly components: readonly CqlType[] }
  /** Any other marshal class (DynamicCompositeType, a custom type): values are opaque bytes. */
  | { readonly kind: 'custom'; readonly className: string };
