/**
 * Mutated corpus GIFs (truncation, byte flips, inserted and deleted bytes, patched header
 * fields): each must either decode all of its frames or throw ChromaseedError, and
 * finish quickly. The PRNG is seeded, so a failing case replays from its printed index.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeGif } from '../../src/decode/gif-decode.js';
import { ChromaseedError } from '../../src/errors.js';
import { createRng } from '../../src/kmeans/random.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const corpus = path.resolve(repoRoot, '../shared/corpus');
const BASES = [
  'odd_gifs/imagers__mixed-disposal.gif',
  'odd_gifs/wuffs__animated-red-blue.gif',
  'gifs/skimage__no_time_for_that_tiny.gif',
  'gifs/sharp__animated-loop-3.gif',
  'odd_gifs/libvips__dispose-previous.gif',
  'odd_gifs/peterdn__animated_loop_interlaced.gif',
];
const SEED = 0x5eed_61f;
const CASES_PER_BASE = 150;
// Mutated headers can claim big canvases; a small limit keeps every case fast while still
// exercising the limit checks (65535x65535 and the like fail with ERR_LIMIT).
const LIMITS = { maxPixels: 4_000_000, maxFrames: 1000 };

const prng = createRng;

function mutate(src: Uint8Array, rand: () => number): { bytes: Uint8Array; how: string } {
  const int = (n: number): number => Math.floor(rand() * n);
  const kind = int(6);
  if (kind === 0) {
    const cut = int(src.length);
    return { bytes: src.slice(0, cut), how: `truncate at ${cut}` };
  }
  if (kind === 1 || kind === 2) {
    const out = src.slice();
    const flips = 1 + int(kind === 1 ? 3 : 20);
    for (let i = 0; i < flips; i++) out[int(out.length)] ^= 1 << int(8);
    return { bytes: out, how: `${flips} bit flips` };
  }
  if (kind === 3) {
    const at = int(src.length);
    const n = 1 + int(16);
    const ins = new Uint8Array(n).map(() => int(256));
    const out = new Uint8Array(src.length + n);
    out.set(src.subarray(0, at));
    out.set(ins, at);
    out.set(src.subarray(at), at + n);
    return { bytes: out, how: `insert ${n} bytes at ${at}` };
  }
  if (kind === 4) {
    const at = int(src.length);
    const n = Math.min(1 + int(16), src.length - at);
    const out = new Uint8Array(src.length - n);
    out.set(src.subarray(0, at));
    out.set(src.subarray(at + n), at);
    return { bytes: out, how: `delete ${n} bytes at ${at}` };
  }
  // Patch a header field: canvas size, flags, or random bytes inside the first 64.
  const out = src.slice();
  const at = int(Math.min(64, out.length));
  out[at] = int(2) ? 0xff : int(256);
  return { bytes: out, how: `header byte ${at} = ${out[at]}` };
}

describe('GIF decoder on mutated input', () => {
  for (const base of BASES) {
    it(`${path.basename(base)}: ${CASES_PER_BASE} mutations decode or throw ChromaseedError`, () => {
      const src = new Uint8Array(readFileSync(path.join(corpus, base)));
      const rand = prng(SEED ^ src.length);
      let decoded = 0;
      let refused = 0;
      for (let c = 0; c < CASES_PER_BASE; c++) {
        const { bytes, how } = mutate(src, rand);
        const label = `${base} case ${c} (seed ${SEED}, ${how})`;
        // CPU time, not the wall clock: on a loaded machine (CI) that measured the load, a
        // case of 0.33 s of CPU taking 2.9 s. What this guards against is a mutation that
        // makes the decoder loop or go quadratic.
        const t0 = process.cpuUsage();
        try {
          const gif = decodeGif(bytes, 'fuzz.gif', LIMITS);
          let n = 0;
          for (const f of gif.frames()) {
            expect(f.data.length, label).toBe(gif.info.width * gif.info.height * 4);
            n++;
          }
          expect(n, label).toBe(gif.info.frameCount);
          decoded++;
        } catch (e) {
          if (!(e instanceof ChromaseedError)) throw new Error(`${label}: threw ${String(e)}`, { cause: e });
          expect(e.message, label).toMatch(/^fuzz\.gif: [^\n]+$/);
          expect(['ERR_INPUT', 'ERR_LIMIT'], label).toContain(e.code);
          refused++;
        }
        const cpu = process.cpuUsage(t0);
        expect((cpu.user + cpu.system) / 1000, `${label}: too slow (ms of CPU)`).toBeLessThan(2000);
      }
      // Both outcomes must occur, or the mutations are not reaching the decoder.
      expect(decoded, 'decoded cases').toBeGreaterThan(0);
      expect(refused, 'refused cases').toBeGreaterThan(0);
    });
  }

  it('refuses the usual non-GIF inputs with one-line messages', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /^x\.gif: file is empty$/],
      [new TextEncoder().encode('hello, not a gif'), /^x\.gif: not a GIF file/],
      [new TextEncoder().encode('GIF89a'), /^x\.gif: truncated in the header/],
      [new Uint8Array(readFileSync(path.join(corpus, 'stills/wuffs__bricks-color.jpeg'))), /not a GIF file/],
    ];
    for (const [bytes, re] of cases) {
      expect(() => decodeGif(bytes, 'x.gif')).toThrow(re);
    }
  });
});
