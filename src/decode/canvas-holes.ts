/**
 * Whether an animation whose first frame is opaque may show transparency later, from its
 * frame headers alone, before any frame is decoded: GIF and animated WebP alike composite
 * frames onto a canvas that starts clear. A disposal brings clear pixels back (GIF's 2 and
 * WebP's "to the background" clear the frame's rectangle; GIF's 3 restores the canvas as it
 * was before the frame, which before the first frame is empty), and a later frame shows
 * those holes unless it paints over all of them opaquely. A frame may also clear pixels
 * itself (a WebP frame with alpha that replaces rather than blends). Tracked as one
 * rectangle per step, so it errs only towards "may" (a WebM with an alpha channel it does
 * not need). The first frame is taken as opaque: a writer sees that one's transparency.
 */

/** What compositing one frame does to the canvas. */
export interface FrameCover {
  /** The frame's rectangle on the canvas, x and y from and to (exclusive), unclipped. */
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  /** Every pixel of the rectangle is drawn opaque (no transparent index, no alpha). */
  readonly opaque: boolean;
  /** The frame may write clear pixels over what is below it. */
  readonly clearsItself: boolean;
  /** What the frame leaves before the next: itself, its rectangle cleared, or the canvas from before it. */
  readonly after: 'keep' | 'clear' | 'restore';
}

/** A part of the canvas: [x0, y0, x1, y1), or null for none. */
type Area = readonly [number, number, number, number] | null;

export function mayTurnClear(frames: Iterable<FrameCover>, width: number, height: number): boolean {
  let holes: Area = [0, 0, width, height]; // the canvas before the first frame is empty
  let first = true;
  for (const fr of frames) {
    const x1 = Math.min(fr.x1, width);
    const y1 = Math.min(fr.y1, height);
    const area: Area = fr.x0 < x1 && fr.y0 < y1 ? [fr.x0, fr.y0, x1, y1] : null;
    const before: Area = holes;
    const covered = before === null || (area !== null && fr.opaque && area[0] <= before[0] && area[1] <= before[1] && area[2] >= before[2] && area[3] >= before[3]);
    if (!first && (!covered || fr.clearsItself)) return true;
    holes = fr.after === 'clear' ? area : fr.after === 'restore' ? before : null;
    first = false;
  }
  return false;
}
