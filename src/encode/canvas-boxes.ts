/**
 * Where a GIF frame must be written, found against the encoder's model of the decoder's
 * canvas (gif-encode.ts), a packed colour a pixel (OPAQUE | 0xRRGGBB, 0 where transparent):
 * the box of pixels that changed, and the box of pixels the next frame makes transparent
 * (which this frame's disposal must clear). Both scan each row from
 * the left to its first hit and from the right only down to the widest column found so far,
 * so a mostly changed frame costs little more than its row edges. Pure: typed arrays in,
 * the box out.
 */

/** Packed canvas pixel: 0 = transparent, otherwise OPAQUE | 0xRRGGBB. */
export const OPAQUE = 0x1000000;

/**
 * Bounding box (x0, y0, x1, y1, inclusive) of the pixels where `target` differs from
 * `base`, into `box` (x1 = -1 when none), looked for in rows `fromRow` to `toRow` only
 * (none when `fromRow` is the larger). Both are packed colours, `width` a row.
 */
export function findChangedBox(target: Uint32Array, base: Uint32Array, width: number, height: number, fromRow: number, toRow: number, box: Int32Array): void {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = fromRow, row = y * width; y <= toRow; y++, row += width) {
    let x = 0;
    while (x < width && target[row + x] === base[row + x]) x++;
    if (x === width) continue;
    if (x < x0) x0 = x;
    let r = width - 1;
    const stop = x > x1 ? x : x1;
    while (r > stop && target[row + r] === base[row + r]) r--;
    if (r > x1) x1 = r;
    if (y0 === height) y0 = y;
    y1 = y;
  }
  box[0] = x0; box[1] = y0; box[2] = x1; box[3] = y1;
}

/**
 * Bounding box of the pixels drawn in `target` (not 0) that `next` makes transparent (0),
 * into `box`; false when there are none. Rows `fromRow` to `toRow` only.
 */
export function findClearBox(target: Uint32Array, next: Uint32Array, width: number, height: number, fromRow: number, toRow: number, box: Int32Array): boolean {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = fromRow, row = y * width; y <= toRow; y++, row += width) {
    let x = 0;
    while (x < width && (next[row + x] !== 0 || target[row + x] === 0)) x++;
    if (x === width) continue;
    if (x < x0) x0 = x;
    let r = width - 1;
    const stop = x > x1 ? x : x1;
    while (r > stop && (next[row + r] !== 0 || target[row + r] === 0)) r--;
    if (r > x1) x1 = r;
    if (y0 === height) y0 = y;
    y1 = y;
  }
  box[0] = x0; box[1] = y0; box[2] = x1; box[3] = y1;
  return x1 >= 0;
}
