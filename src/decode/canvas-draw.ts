/**
 * Drawing a frame's picture onto an animation's canvas (RGBA, kept from frame to frame), as
 * animated WebP and animated PNG composite their frames. Rectangles are clipped to the
 * canvas. Pure: no node: imports.
 */

/** Where a frame's picture goes on the canvas. */
export interface CanvasRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Draws `picture` (RGBA, the rectangle's size) onto the canvas: alpha-blended (the
 * non-premultiplied "over" both formats specify, which keeps an opaque pixel and passes a
 * clear one), or replacing the canvas's pixels, clear ones too.
 */
export function drawPicture(canvas: Uint8Array, canvasWidth: number, canvasHeight: number, picture: Uint8Array, rect: CanvasRect, blend: boolean): void {
  const cols = Math.min(rect.width, canvasWidth - rect.x);
  const rows = Math.min(rect.height, canvasHeight - rect.y);
  for (let r = 0; r < rows; r++) {
    let s = r * rect.width * 4;
    let d = ((rect.y + r) * canvasWidth + rect.x) * 4;
    if (!blend) {
      canvas.set(picture.subarray(s, s + cols * 4), d);
      continue;
    }
    for (let c = 0; c < cols; c++, s += 4, d += 4) {
      const a = picture[s + 3];
      if (a === 0) continue;
      if (a === 255 || canvas[d + 3] === 0) {
        canvas[d] = picture[s];
        canvas[d + 1] = picture[s + 1];
        canvas[d + 2] = picture[s + 2];
        canvas[d + 3] = a;
        continue;
      }
      const under = (canvas[d + 3] * (255 - a)) / 255;
      const out = a + under;
      for (let ch = 0; ch < 3; ch++) canvas[d + ch] = Math.round((picture[s + ch] * a + canvas[d + ch] * under) / out);
      canvas[d + 3] = Math.round(out);
    }
  }
}

/** Clears a rectangle of the canvas to transparent. */
export function clearRect(canvas: Uint8Array, canvasWidth: number, canvasHeight: number, rect: CanvasRect): void {
  const cols = Math.min(rect.width, canvasWidth - rect.x);
  if (cols <= 0) return;
  for (let y = rect.y; y < Math.min(rect.y + rect.height, canvasHeight); y++) {
    const d = (y * canvasWidth + rect.x) * 4;
    canvas.fill(0, d, d + cols * 4);
  }
}

/** Copies a rectangle from one canvas-sized RGBA buffer to another. */
export function copyRect(from: Uint8Array, to: Uint8Array, canvasWidth: number, canvasHeight: number, rect: CanvasRect): void {
  const cols = Math.min(rect.width, canvasWidth - rect.x);
  if (cols <= 0) return;
  for (let y = rect.y; y < Math.min(rect.y + rect.height, canvasHeight); y++) {
    const d = (y * canvasWidth + rect.x) * 4;
    to.set(from.subarray(d, d + cols * 4), d);
  }
}
