/**
 * The glance the command line takes at a GIF as the process starts (to decide whether to start
 * the GIF encoder's thread early) against the GIF reader itself, on every GIF of the corpus.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGifStructure, resolveGifLimits } from '../../src/decode/gif-structure.js';
import { glanceAtGif } from '../../src/io/early-gif-thread.js';
import { ChromaseedError } from '../../src/errors.js';
import { repoRoot } from '../helpers/cli.js';

const corpus = path.resolve(repoRoot, '../shared/corpus');

describe('glanceAtGif', () => {
  it("finds each corpus GIF's screen and frames as the reader does, and stops where the bytes do", () => {
    const names = ['gifs', 'odd_gifs'].flatMap((dir) => readdirSync(path.join(corpus, dir)).filter((n) => n.endsWith('.gif')).map((n) => path.join(corpus, dir, n)));
    let complete = 0;
    for (const name of names) {
      const bytes = new Uint8Array(readFileSync(name));
      let structure;
      try {
        structure = parseGifStructure(bytes, name, resolveGifLimits({}));
      } catch (err) {
        if (err instanceof ChromaseedError) continue; // refused by the reader: nothing to compare
        throw err;
      }
      const glance = glanceAtGif(bytes)!;
      expect(glance.pixels, name).toBe(structure.width * structure.height);
      expect(glance.frames, name).toBe(structure.frames.length);
      // Damaged (cut short, a block no GIF has): the glance stops there, and says it has not seen the whole.
      expect(glance.complete, name).toBe(structure.warnings.length === 0);
      if (glance.complete) complete++;
      // Cut short, as the command line reads at most 1 MiB: the frames whose start it has.
      const half = glanceAtGif(bytes.subarray(0, bytes.length >> 1))!;
      expect(half.complete, name).toBe(false);
      expect(half.frames, name).toBeLessThanOrEqual(glance.frames);
    }
    expect(complete).toBeGreaterThan(20);
  });

  it('says what is not a GIF', () => {
    expect(glanceAtGif(new TextEncoder().encode('not a GIF at all'))).toBeNull();
    expect(glanceAtGif(new Uint8Array(0))).toBeNull();
  });
});
