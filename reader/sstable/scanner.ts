/**
 * Sequential scan of one SSTable's Data.db: partitions, then each partition's unfiltereds, pulled one at
 * a time. Bytes arrive chunk by chunk from a `ChunkStream`; a record that crosses the end of the window is
 * parsed again once the window holds all of it (its size is known from its header, so at most twice),
 * so neither a whole file nor a whole partition is ever held in memory — only the records not yet
 * consumed and the chunks under them.
 */
import { DatamoveError } from '../../core/errors.js';
import { Cursor, NEED_MORE } from '../bytes/cursor.js';
import type { ChunkStream } from './chunk-source.js';
import {
  type PartitionHeader,
  ROW,
  type Row,
  type Unfiltered,
  type UnfilteredDecoder,
} from './unfiltered.js';

const EMPTY: Uint8Array = new Uint8Array(0);

/** A stream of partitions and their unfiltereds in token order: an SSTable scan, or any other source. */
export interface PartitionStream {
  /** The next partition's header and static row, skipping the rest of the current one; undefined at the end. */
  nextPartition(): Promise<(PartitionHeader & { staticRow: Row | null }) | undefined>;
  /** The next row or range tombstone marker of the current partition; null after its last. */
  nextUnfiltered(): Promise<Unfiltered | null>;
}

export class SSTableScanner implements PartitionStream {
  private readonly cur: Cursor;
  private inPartition = false;
  private done = false;
  private pending: Unfiltered | null = null;

  constructor(
    private readonly stream: ChunkStream,
    private readonly decoder: UnfilteredDecoder,
    private readonly file: string,
    start: number,
    /** Uncompressed end of the scanned range (a partition boundary). */
    private readonly end: number,
  ) {
    this.cur = new Cursor(EMPTY, 0, 0, start);
  }

  /**
   * The next partition's header and static row (or null), skipping whatever is left of the current
   * partition; `undefined` at the end of the range.
   */
  async nextPartition(): Promise<(PartitionHeader & { staticRow: Row | null }) | undefined> {
    if (this.done) return undefined;
    while (this.inPartition) await this.nextUnfiltered();
    const c = this.cur;
    if (c.pos >= c.end && c.position >= this.end) {
      this.done = true;
      return undefined;
    }
    if (c.pos >= c.end && !(await this.fill(1))) {
      this.done = true;
      return undefined;
    }
    const header = await this.parse(this.readHeader);
    this.inPartition = true;
    // the static row, when there is one, comes first
    let staticRow: Row | null = null;
    this.staticAllowed = true;
    const first = await this.parse(this.readNext);
    this.staticAllowed = false;
    if (first === null) this.inPartition = false;
    else if (first.kind === ROW && first.isStatic) staticRow = first;
    else this.pending = first; // not static: hand it out as the first unfiltered
    return { ...header, staticRow };
  }

  /** The next row or marker of the current partition, `null` after its last. */
  async nextUnfiltered(): Promise<Unfiltered | null> {
    if (!this.inPartition) return null;
    if (this.pending !== null) {
      const u = this.pending;
      this.pending = null;
      return u;
    }
    const u = await this.parse(this.readNext);
    if (u === null) this.inPartition = false;
    return u;
  }

  private readonly readHeader = (c: Cursor): PartitionHeader => this.decoder.readPartitionHeader(c);
  /** True while the first unfiltered of a partition is read: the only place a static row may stand. */
  private staticAllowed = false;
  private readonly readNext = (c: Cursor): Unfiltered | null => {
    const u = this.decoder.readUnfiltered(c);
    if (u !== null && u.kind === ROW && u.isStatic && !this.staticAllowed) {
      throw this.decoder.corrupt(u.position, 'static row after the first row of a partition');
    }
    return u;
  };

  private async parse<T>(fn: (c: Cursor) => T): Promise<T> {
    const c = this.cur;
    for (;;) {
      c.mark = c.pos;
      try {
        return fn(c);
      } catch (e) {
        if (e !== NEED_MORE) {
          if (e instanceof RangeError) throw this.decoder.corrupt(c.base + c.mark, e.message);
          throw e;
        }
        const need = NEED_MORE.need;
        c.pos = c.mark;
        if (!(await this.fill(need))) {
          throw new DatamoveError(
            'DataInvalid',
            `sstable: ${this.file} at offset ${c.base + c.mark}: truncated: a record needs ${need} bytes, the data ends after ${c.end - c.mark}`,
            { context: { file: this.file, offset: c.base + c.mark } },
          );
        }
      }
    }
  }

  /** Makes at least `need` bytes from `cur.mark` available; false when the stream ends first. */
  private async fill(need: number): Promise<boolean> {
    const c = this.cur;
    const keep = c.buf.subarray(c.mark, c.end);
    const base = c.base + c.mark;
    let have = keep.length;
    const parts: Uint8Array[] = [];
    while (have < need) {
      const block = await this.stream.next();
      if (block === undefined) break;
      parts.push(block);
      have += block.length;
    }
    if (parts.length === 0) return have >= need;
    let buf: Uint8Array;
    if (keep.length === 0 && parts.length === 1) buf = parts[0]!;
    else {
      buf = new Uint8Array(have);
      buf.set(keep, 0);
      let at = keep.length;
      for (const p of parts) {
        buf.set(p, at);
        at += p.length;
      }
    }
    c.reset(buf, 0, buf.length, base);
    c.mark = 0;
    return have >= need;
  }
}
