import { detached } from '../clean/detached';

type NumberArray = Float32Array | Float64Array | Int32Array | Uint8Array;

/** A typed-array column that grows by doubling, so loading never holds per-row objects. */
export class Growable<T extends NumberArray> {
  private data: T;
  length = 0;
  constructor(private readonly make: (size: number) => T) {
    this.data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  pop(): void {
    this.length--;
  }
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }
}

export const float32Column = () => new Growable((n) => new Float32Array(n));
export const float64Column = () => new Growable((n) => new Float64Array(n));
export const int32Column = () => new Growable((n) => new Int32Array(n));

/** Dictionary of distinct strings: code → value, value → code. */
export class Dictionary {
  readonly values: string[] = [];
  private readonly codes = new Map<string, number>();
  code(value: string): number {
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.values.length;
      // Kept for the whole dataset: a copy, not a slice holding the CSV chunk the value was cut from.
      const kept = detached(value);
      this.values.push(kept);
      this.codes.set(kept, code);
    }
    return code;
  }
}
