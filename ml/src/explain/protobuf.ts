import { InputError } from '../errors';

/**
 * A minimal protobuf wire-format reader: enough to walk ONNX's ModelProto → GraphProto → NodeProto →
 * AttributeProto without a generated schema or a dependency. Every read is bounds-checked, so a truncated
 * or hostile file is an InputError, never an out-of-range read or an endless loop.
 */

export enum WireType {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** One field of a message: its number, wire type and where its payload is. */
export interface Field {
  number: number;
  wireType: WireType;
  /** Varint value (int64 as a JS number; exact up to 2^53). */
  varint: number;
  /** Payload bounds for Bytes, Fixed32 and Fixed64 fields (into the reader's buffer). */
  start: number;
  end: number;
}

const TWO_32 = 4294967296;

export class ProtoReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what = 'protobuf message',
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(detail: string): never {
    throw new InputError(`${this.what} is not valid: ${detail}`);
  }

  /** Reads a varint at `pos`; returns [value, next position]. Negative int64 values come back negative. */
  varint(pos: number, end: number): [number, number] {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) this.fail(`truncated varint at byte ${pos}`);
      const b = this.bytes[pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      shift += 7;
      if ((b & 0x80) === 0) return [toInt64(lo >>> 0, hi >>> 0), pos];
    }
    return this.fail(`varint longer than 10 bytes at byte ${pos}`);
  }

  /** Calls `visit` for every field of the message in [start, end). */
  fields(start: number, end: number, visit: (field: Field) => void): void {
    let pos = start;
    const field: Field = { number: 0, wireType: WireType.Varint, varint: 0, start: 0, end: 0 };
    while (pos < end) {
      const [key, afterKey] = this.varint(pos, end);
      pos = afterKey;
      const wireType = key & 7;
      field.number = Math.floor(key / 8);
      field.wireType = wireType;
      field.varint = 0;
      if (field.number === 0) this.fail(`field number 0 at byte ${pos}`);
      switch (wireType) {
        case WireType.Varint: {
          const [value, next] = this.varint(pos, end);
          field.varint = value;
          field.start = pos;
          field.end = pos = next;
          break;
        }
        case WireType.Fixed64:
          field.start = pos;
          field.end = pos += 8;
          break;
        case WireType.Fixed32:
          field.start = pos;
          field.end = pos += 4;
          break;
        case WireType.Bytes: {
          const [length, next] = this.varint(pos, end);
          if (length < 0) this.fail(`negative length at byte ${pos}`);
          field.start = next;
          field.end = pos = next + length;
          break;
        }
        default:
          this.fail(`unsupported wire type ${wireType} at byte ${pos}`);
      }
      if (pos > end) this.fail(`field ${field.number} runs past the end of its message (byte ${end})`);
      visit(field);
    }
  }

  string(field: Field): string {
    this.expect(field, WireType.Bytes);
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(field.start, field.end));
  }

  float32(field: Field): number {
    this.expect(field, WireType.Fixed32);
    return this.view.getFloat32(field.start, true);
  }

  /** A repeated float field, packed (one Bytes field) or not (one Fixed32 field per value). */
  pushFloats(field: Field, out: number[]): void {
    if (field.wireType === WireType.Fixed32) {
      out.push(this.view.getFloat32(field.start, true));
      return;
    }
    this.expect(field, WireType.Bytes);
    if ((field.end - field.start) % 4 !== 0) this.fail(`packed floats of ${field.end - field.start} bytes`);
    for (let p = field.start; p < field.end; p += 4) out.push(this.view.getFloat32(p, true));
  }

  /** A repeated double field, packed or not. */
  pushDoubles(field: Field, out: number[]): void {
    if (field.wireType === WireType.Fixed64) {
      out.push(this.view.getFloat64(field.start, true));
      return;
    }
    this.expect(field, WireType.Bytes);
    if ((field.end - field.start) % 8 !== 0) this.fail(`packed doubles of ${field.end - field.start} bytes`);
    for (let p = field.start; p < field.end; p += 8) out.push(this.view.getFloat64(p, true));
  }

  /** A repeated varint (int32/int64) field, packed or not. */
  pushVarints(field: Field, out: number[]): void {
    if (field.wireType === WireType.Varint) {
      out.push(field.varint);
      return;
    }
    this.expect(field, WireType.Bytes);
    let pos = field.start;
    while (pos < field.end) {
      const [value, next] = this.varint(pos, field.end);
      out.push(value);
      pos = next;
    }
  }

  float32At(pos: number): number {
    return this.view.getFloat32(pos, true);
  }

  float64At(pos: number): number {
    return this.view.getFloat64(pos, true);
  }

  private expect(field: Field, wireType: WireType): void {
    if (field.wireType !== wireType)
      this.fail(`field ${field.number} has wire type ${field.wireType}, expected ${wireType}`);
  }
}

/** Two's-complement int64 from its 32-bit halves, as a JS number (exact within ±2^53). */
function toInt64(lo: number, hi: number): number {
  if (hi & 0x80000000) return -((~hi >>> 0) * TWO_32 + (~lo >>> 0) + 1);
  return hi * TWO_32 + lo;
}
