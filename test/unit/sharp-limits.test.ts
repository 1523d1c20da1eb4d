import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { encodeRgbaPng } from '../../src/io/png-sequence.js';
import { repoRoot, runMain } from '../helpers/cli.js';

// Every raw frame (and SVG layer) handed to sharp, with the pixel limit it was given. A real
// frame past sharp's default limit (16383² pixels, over 1 GB of RGBA) is too large for the
// suite; this checks that no such hand-over keeps the default that refused them.
const seen = vi.hoisted(() => [] as { what: string; limit: unknown }[]);
vi.mock('sharp', async (original) => {
  const real = (await original<{ default: (...args: unknown[]) => Record<string, (...a: unknown[]) => unknown> }>()).default;
  const wrapped = (input: unknown, options?: { raw?: unknown; limitInputPixels?: unknown }) => {
    const image = real(input, options);
    if (options?.raw !== undefined) seen.push({ what: 'raw frame', limit: options.limitInputPixels });
    const composite = image.composite.bind(image);
    image.composite = (layers: unknown) => {
      for (const layer of layers as { limitInputPixels?: unknown }[]) seen.push({ what: 'layer', limit: layer.limitInputPixels });
      return composite(layers);
    };
    return image;
  };
  return { default: Object.assign(wrapped, real) };
});

const dir = await mkdtemp(path.join(tmpdir(), 'chromaseed-limits-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("sharp's own pixel limit is lifted for pixels --max-pixels already counted", () => {
  it('resizing GIF frames (--width), drawing an overlay, writing an RGBA PNG frame', async () => {
    const gif = await runMain(['quantize', path.join(repoRoot, 'samples/cars.gif'), '-k', '8', '--width', '60', '-o', path.join(dir, 'small.gif'), '--quiet']);
    expect(gif.code, gif.stderr).toBe(0);
    const overlay = await runMain(['palette', path.join(repoRoot, 'samples/coffee.png'), '-k', '4', '--overlay', path.join(dir, 'overlay.png')]);
    expect(overlay.code, overlay.stderr).toBe(0);
    await encodeRgbaPng(new Uint8Array(4 * 4 * 4), 4, 4);

    const kinds = new Set(seen.map((s) => s.what));
    expect(kinds).toEqual(new Set(['raw frame', 'layer']));
    expect(seen.filter((s) => s.limit !== false)).toEqual([]);
  });
});
