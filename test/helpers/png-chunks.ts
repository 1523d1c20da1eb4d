import { deflateSync } from 'node:zlib';

export interface Chunk {
  type: string;
  data: Buffer;
}

/** A PNG's chunks after its 8-byte signature. */
export function chunksOf(bytes: Buffer): Chunk[] {
  const chunks: Chunk[] = [];
  for (let at = 8; at < bytes.length; at += 12 + bytes.readUInt32BE(at)) {
    const length = bytes.readUInt32BE(at);
    chunks.push({ type: bytes.toString('latin1', at + 4, at + 8), data: Buffer.from(bytes.subarray(at + 8, at + 8 + length)) });
  }
  return chunks;
}

/** A PNG's chunks, changed by `edit` (which may drop some or add some), written back with fresh checksums. */
export function rewritePng(bytes: Buffer, edit: (chunks: Chunk[]) => Chunk[]): Buffer {
  const out = edit(chunksOf(bytes)).map(({ type, data }) => {
    const chunk = Buffer.alloc(12 + data.length);
    chunk.writeUInt32BE(data.length, 0);
    chunk.write(type, 4, 'latin1');
    data.copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
    return chunk;
  });
  return Buffer.concat([bytes.subarray(0, 8), ...out]);
}

/** `png` with `profile` embedded as its colour profile (an iCCP chunk after IHDR; any earlier profile dropped). */
export function withIccChunk(png: Buffer, profile: Buffer): Buffer {
  const iccp = { type: 'iCCP', data: Buffer.concat([Buffer.from('icc\0\0', 'latin1'), deflateSync(profile)]) };
  return rewritePng(png, (chunks) => chunks.filter((c) => c.type !== 'iCCP' && c.type !== 'sRGB').flatMap((c) => (c.type === 'IHDR' ? [c, iccp] : [c])));
}

/**
 * The smallest ICC (v2) display profile of a grey space: a white point and one tone curve,
 * `value ^ gamma` (gamma 1: linear light). What a scanner or a raw converter may embed in a
 * greyscale file; built here, since no profile of this kind ships with the test tools.
 */
export function greyIccProfile(gamma: number): Buffer {
  const xyz = (x: number, y: number, z: number): Buffer => {
    const b = Buffer.alloc(20);
    b.write('XYZ ', 0, 'latin1');
    [x, y, z].forEach((v, i) => b.writeInt32BE(Math.round(v * 65536), 8 + 4 * i));
    return b;
  };
  const curve = Buffer.alloc(16); // 'curv', reserved, one entry: the gamma as u8Fixed8, padded to 4 bytes
  curve.write('curv', 0, 'latin1');
  curve.writeUInt32BE(1, 8);
  curve.writeUInt16BE(Math.round(gamma * 256), 12);
  const tags: [string, Buffer][] = [['wtpt', xyz(0.9642, 1, 0.8249)], ['kTRC', curve]];
  const tableBytes = 4 + 12 * tags.length;
  let at = 128 + tableBytes;
  const table = Buffer.alloc(tableBytes);
  table.writeUInt32BE(tags.length, 0);
  tags.forEach(([signature, data], i) => {
    table.write(signature, 4 + 12 * i, 'latin1');
    table.writeUInt32BE(at, 8 + 12 * i);
    table.writeUInt32BE(data.length, 12 + 12 * i);
    at += data.length;
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(at, 0); // size of the whole profile
  header.writeUInt32BE(0x02100000, 8); // version 2.1
  header.write('mntrGRAYXYZ ', 12, 'latin1'); // class, colour space, connection space
  header.write('acsp', 36, 'latin1');
  xyz(0.9642, 1, 0.8249).copy(header, 68, 8); // the D50 illuminant
  return Buffer.concat([header, table, ...tags.map(([, data]) => data)]);
}

/** PNG's chunk checksum (CRC-32, ISO 3309). */
function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
