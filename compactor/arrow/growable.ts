/**
 * Growable column buffers (arrow-js `builder/buffer.ts`): a typed array that doubles when full, 64-byte
 * aligned sizes, wrapped once per batch. Values are written in place — never a row object — and a batch
 * hands its buffers to Arrow `Data` as views of exactly the used length.
 */

type TypedArrayCtor<T> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number };

export class GrowableArray<T extends Int32Array | Float32Array | Float64Array | Uint8Array> {
  array: T;
  /** Elements written. */
  length = 0;

  constructor(
    private readonly ctor: TypedArrayCtor<T>,
    initial = 1024,
  ) {
    this.array = new ctor(align(initial, ctor.BYTES_PER_ELEMENT));
  }

  /** Makes room for `n` more elements. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.array.length) return;
    let size = this.array.length * 2;
    while (size < need) size *= 2;
    const next = new this.ctor(align(size, this.ctor.BYTES_PER_ELEMENT));
    (next as Uint8Array).set(this.array as Uint8Array);
    this.array = next;
  }

  /**
   * Hands the written elements to a finished batch (a view, no copy) and starts a new buffer of the same
   * capacity, so the batch's memory is never overwritten (it may be transferred to another thread).
   */
  take(): T {
    const out = this.array.subarray(0, this.length) as T;
    this.array = new this.ctor(this.array.length);
    this.length = 0;
    return out;
  }

  get byteLength(): number {
    return this.length * this.ctor.BYTES_PER_ELEMENT;
  }
}

function align(n: number, bytesPerElement: number): number {
  const bytes = Math.ceil((n * bytesPerElement) / 64) * 64;
  return bytes / bytesPerElement;
}

/** A validity bitmap: bit i set = value i present. */
export class Validity {
  readonly bits = new GrowableArray(Uint8Array, 128);
  nullCount = 0;
  length = 0;

  push(valid: boolean): void {
    const i = this.length++;
    const byte = i >> 3;
    if (byte >= this.bits.length) {
      this.bits.reserve(1);
      this.bits.array[this.bits.length++] = 0;
    }
    if (valid) this.bits.array[byte]! |= 1 << (i & 7);
    else this.nullCount++;
  }

  /** The bitmap (undefined when no value is null, Arrow's convention) and its null count; starts anew. */
  take(): { bitmap: Uint8Array | undefined; nullCount: number } {
    const bits = this.bits.take();
    const out = { bitmap: this.nullCount === 0 ? undefined : bits, nullCount: this.nullCount };
    this.nullCount = 0;
    this.length = 0;
    return out;
  }
}
