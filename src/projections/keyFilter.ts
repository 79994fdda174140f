// A Bloom filter of strings, of a fixed size: `mayHave` is false only for a key never added (no false
// negatives), true for every key added and, rarely, for others. A rebuild records in one the order
// keys it has written, to skip loading rows that cannot exist, in bounded memory whatever the log's
// size: past a few million keys it answers "maybe" more often, which only costs loads.
const HASHES = 4

export class KeyFilter {
  private readonly bits: Uint32Array
  private readonly mask: number

  /** `log2Bits`: 2^log2Bits bits (the default, 2^25, is 4 MiB: ~1% false positives at 3.5M keys). */
  constructor(log2Bits = 25) {
    this.bits = new Uint32Array(2 ** Math.max(5, log2Bits) / 32)
    this.mask = 2 ** Math.max(5, log2Bits) - 1
  }

  add(key: string): void {
    const [h1, h2] = hashes(key)
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask
      this.bits[bit >>> 5]! |= 1 << (bit & 31)
    }
  }

  mayHave(key: string): boolean {
    const [h1, h2] = hashes(key)
    for (let i = 0; i < HASHES; i++) {
      const bit = (h1 + Math.imul(i, h2)) & this.mask
      if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return false
    }
    return true
  }
}

/** Two 32-bit hashes of the UTF-16 code units (FNV-1a, and a multiplicative one), for double hashing. */
const hashes = (key: string): [number, number] => {
  let a = 0x811c9dc5
  let b = 0x9e3779b1
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x85ebca6b) ^ (b >>> 13)
  }
  // An odd step visits distinct bits for the HASHES probes.
  return [a >>> 0, (b | 1) >>> 0]
}
