import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pngChunkProblem } from '../../src/decode/png-damage.js';

const png = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples/coffee.png'));

describe('pngChunkProblem', () => {
  it('finds nothing wrong with a whole PNG, and says where one is cut or damaged', () => {
    expect(pngChunkProblem(png)).toBeNull();
    // The signature and the image header (8 + 25 bytes), then bytes that are no chunk.
    const noChunk = Buffer.concat([png.subarray(0, 33), Buffer.from([0, 0, 0, 5, 0x01, 0x02, 0x03, 0x04, 9, 9, 9, 9, 9, 0, 0, 0, 0])]);
    expect(pngChunkProblem(noChunk)).toBe('damaged: at byte 33 it has no chunk a PNG can have (the chunk before it has the wrong length, or bytes are missing)');
    expect(pngChunkProblem(png.subarray(0, 33))).toBe('cut short: it ends before its end chunk (IEND)');
    expect(pngChunkProblem(png.subarray(0, 36))).toBe('cut short: it ends inside the header of a chunk, at byte 36');
    expect(pngChunkProblem(png.subarray(0, 20))).toBe('cut short: it ends inside its IHDR chunk (4 of its 13 bytes are there)');
    const badSum = Buffer.from(png);
    badSum[12 + 4] ^= 1; // the first byte of the width
    expect(pngChunkProblem(badSum)).toBe('damaged: its IHDR chunk at byte 8 does not match its checksum');
  });
});
