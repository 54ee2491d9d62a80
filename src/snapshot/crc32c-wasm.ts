/**
 * CRC-32C slicing-by-8 as a tiny WebAssembly function, assembled here from its opcodes (no
 * build step, no binary blob). It reads 8 bytes with two 32-bit loads and no bounds checks,
 * about 1.5x the JavaScript loop, which matters because status hashes the whole database.
 * Data is copied into the module's memory first (a leaf page at a time), then hashed there.
 */
import { TABLES } from './crc32c.js';

/** Where hashed data starts in the wasm memory; below it are the 8 × 1 KiB tables. */
const DATA_OFFSET = 8 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) return [...out, b];
    out.push(b | 0x80);
  }
};

// Opcodes used below (WebAssembly core spec, binary format).
const OP = { block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, get: 0x20, set: 0x21, load: 0x28, load8u: 0x2d, const: 0x41, geU: 0x4f, gtU: 0x4b, add: 0x6a, and: 0x71, xor: 0x73, shl: 0x74, shrU: 0x76 };
const VOID = 0x40;
const I32 = 0x7f;
// Locals: params crc, p, n; then end, lo, hi.
const [CRC, P, N, END, LO, HI] = [0, 1, 2, 3, 4, 5];

const get = (i: number) => [OP.get, i];
const set = (i: number) => [OP.set, i];
const k = (v: number) => [OP.const, ...sleb(v)];
const load32 = (offset: number) => [OP.load, 2, ...uleb(offset)];
/** Byte `shift/8` of a local, as an index 0..255. */
const byteOf = (local: number, shift: number) =>
  shift === 24 ? [...get(local), ...k(24), OP.shrU] : [...get(local), ...(shift ? [...k(shift), OP.shrU] : []), ...k(255), OP.and];
/** table[t][index] where table t lives at t × 1 KiB. */
const lookup = (t: number, index: number[]) => [...index, ...k(2), OP.shl, ...load32(t * 1024)];

function moduleBytes(): Uint8Array {
  const body = [
    ...get(P), ...get(N), OP.add, ...set(END),
    // while (p + 8 <= end): slicing-by-8 step
    OP.block, VOID, OP.loop, VOID,
    ...get(P), ...k(8), OP.add, ...get(END), OP.gtU, OP.brIf, 1,
    ...get(CRC), ...get(P), ...load32(0), OP.xor, ...set(LO),
    ...get(P), ...load32(4), ...set(HI),
    ...lookup(7, byteOf(LO, 0)), ...lookup(6, byteOf(LO, 8)), OP.xor, ...lookup(5, byteOf(LO, 16)), OP.xor, ...lookup(4, byteOf(LO, 24)), OP.xor,
    ...lookup(3, byteOf(HI, 0)), OP.xor, ...lookup(2, byteOf(HI, 8)), OP.xor, ...lookup(1, byteOf(HI, 16)), OP.xor, ...lookup(0, byteOf(HI, 24)), OP.xor,
    ...set(CRC),
    ...get(P), ...k(8), OP.add, ...set(P),
    OP.br, 0, OP.end, OP.end,
    // while (p < end): one byte
    OP.block, VOID, OP.loop, VOID,
    ...get(P), ...get(END), OP.geU, OP.brIf, 1,
    ...lookup(0, [...get(CRC), ...get(P), OP.load8u, 0, 0, OP.xor, ...k(255), OP.and]),
    ...get(CRC), ...k(8), OP.shrU, OP.xor, ...set(CRC),
    ...get(P), ...k(1), OP.add, ...set(P),
    OP.br, 0, OP.end, OP.end,
    ...get(CRC), OP.end,
  ];
  const func = [1, 3, I32, ...body];
  const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
  const name = (s: string) => [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 3, I32, I32, I32, 1, I32]), // type: (i32 i32 i32) -> i32
    ...section(3, [1, 0]), // one function of type 0
    ...section(5, [1, 0x00, 1]), // one memory, min 1 page
    ...section(7, [2, ...name('update'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...uleb(func.length), ...func]),
  ]);
}

/** The slice of the WebAssembly API used here (the project's TS lib has no DOM/wasm types). */
interface WasmMemory { buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: { update: (crc: number, p: number, n: number) => number; memory: WasmMemory } };
}

const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

function wasmModule(): object | null {
  if (compiled === undefined) {
    // Little-endian hosts only: the loads read words in host order, like the tables assume.
    const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    compiled = wasm && littleEndian ? new wasm.Module(moduleBytes()) : null;
  }
  return compiled;
}

/** A CRC-32C engine over one buffer at a time: `load` a node, then `update` ranges of it. */
export interface Crc32cEngine {
  /** Copies `bytes` in; later `update` offsets are relative to it. */
  load(bytes: Uint8Array): void;
  /** Continues the raw (inverted int32) register over loaded[start, end). */
  update(state: number, start: number, end: number): number;
}

/** The wasm engine, or undefined when WebAssembly is unavailable (then use crc32cUpdate). */
export function createWasmCrc32c(): Crc32cEngine | undefined {
  const mod = wasmModule();
  if (!mod || !wasm) return undefined;
  const { update, memory } = new wasm.Instance(mod).exports;
  new Int32Array(memory.buffer, 0, TABLES.length).set(TABLES);
  let view = new Uint8Array(memory.buffer);
  return {
    load(bytes) {
      const needed = DATA_OFFSET + bytes.length;
      if (needed > view.length) {
        memory.grow(Math.ceil((needed - view.length) / WASM_PAGE_BYTES));
        view = new Uint8Array(memory.buffer);
      }
      view.set(bytes, DATA_OFFSET);
    },
    update(state, start, end) {
      return update(state, DATA_OFFSET + start, end - start);
    },
  };
}
