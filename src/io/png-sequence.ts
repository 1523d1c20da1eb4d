import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { ChromaseedError } from '../errors.js';
import { frameFileName } from './frame-names.js';
import { commitTemp, refuseInputAsOutput, removeQuietly, tempPathFor, trackTemp } from './output-file.js';

/** RGBA bytes as a PNG; an opaque frame is stored as RGB. */
export async function encodePng(rgba: Uint8Array, width: number, height: number, opaque: boolean): Promise<Buffer> {
  const { default: sharp } = await import('sharp'); // loaded on first use: GIF runs never need it
  let image = sharp(rgba, { raw: { width, height, channels: 4 } });
  if (opaque) image = image.removeAlpha();
  return image.png({ compressionLevel: 6, adaptiveFiltering: true }).toBuffer();
}

export interface PngSequenceOptions {
  width: number;
  height: number;
  /** Real path of the input file (see realInput), so no frame overwrites it. */
  input?: string;
}

export interface PngSequence {
  /** Writes the next frame from RGBA bytes; `opaque` drops the alpha channel for a smaller file. */
  write(rgba: Uint8Array, opaque: boolean): Promise<void>;
  /** The frames written, in order. */
  readonly files: readonly string[];
  /** Total bytes written. */
  readonly bytes: number;
  /** Deletes every frame this sequence wrote. */
  abort(): Promise<void>;
}

/**
 * Writes numbered PNG frames with sharp. Each frame goes to a temp name and is renamed when
 * complete, so no half-written PNG is ever visible; abort() deletes the frames written so
 * far, so a failed run leaves no partial sequence. (A frame file that existed before and was
 * replaced cannot be brought back.) PNG has no frame timing: delays are not kept.
 */
export function createPngSequence(pattern: string, options: PngSequenceOptions): PngSequence {
  const { width, height } = options;
  const files: string[] = [];
  let bytes = 0;
  let current: string | null = null;
  let aborted = false;
  return {
    files,
    get bytes() {
      return bytes;
    },
    async write(rgba, opaque) {
      if (aborted) throw new Error('createPngSequence: write after abort');
      const finalPath = path.resolve(frameFileName(pattern, files.length + 1));
      await refuseInputAsOutput(finalPath, options.input);
      const temp = tempPathFor(finalPath);
      current = temp;
      trackTemp(temp);
      try {
        const png = await encodePng(rgba, width, height, opaque);
        await writeFile(temp, png);
        await commitTemp(temp, finalPath);
        bytes += png.length;
        files.push(finalPath);
      } catch (err) {
        await removeQuietly(temp);
        if (err instanceof ChromaseedError) throw err;
        throw new ChromaseedError('ERR_OUTPUT', `${finalPath}: cannot write PNG frame: ${(err as Error).message}`, { cause: err });
      } finally {
        current = null;
      }
    },
    async abort() {
      aborted = true;
      if (current) await removeQuietly(current);
      for (const f of files) await removeQuietly(f);
      files.length = 0;
    },
  };
}
