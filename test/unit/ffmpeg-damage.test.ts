import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { watch } from '../../src/io/ffmpeg-run.js';

/** The damage `watch` reports for ffmpeg printing `lines` on stderr, then ending well. */
async function damageOf(lines: string[]): Promise<string | null> {
  const command = new EventEmitter();
  const run = watch(command as unknown as Parameters<typeof watch>[0]);
  for (const line of lines) command.emit('stderr', line);
  command.emit('end');
  return (await run.done).damage;
}

describe("ffmpeg's reports of damage it read past", () => {
  const container = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x2ab8abc0] stream 0, offset 0x61f17: partial file';
  const decoder = '[h264 @ 0x2abf8f80] Invalid NAL unit size (5391 > 4634).';

  it("quotes the container's report whichever comes first (an MP4 cut short: its decoder's threads printed their complaint before or after it, run to run)", async () => {
    const quoted = '[mov,mp4,m4a,3gp,3g2,mj2] stream 0, offset 0x61f17: partial file';
    expect(await damageOf(['frame=1', container, decoder])).toBe(quoted);
    expect(await damageOf(['frame=1', decoder, container])).toBe(quoted);
  });

  it("quotes a decoder's first report where the container reports none", async () => {
    expect(await damageOf([decoder, '[h264 @ 0x1] concealing 12 DC, 12 AC, 12 MV errors in P frame'])).toBe('[h264] Invalid NAL unit size (5391 > 4634).');
    expect(await damageOf(['frame=1'])).toBeNull();
  });

  it('reports a time scale of 0 and a picture size that cannot be right (a fuzzing audit: the clip came out as 1 frame, or 427 wide for 320, unsaid)', async () => {
    expect(await damageOf(['[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1352dbc0] Invalid mdhd time scale 0, defaulting to 1'])).toBe('[mov,mp4,m4a,3gp,3g2,mj2] Invalid mdhd time scale 0, defaulting to 1');
    expect(await damageOf(['[NULL @ 0x1dc18540] [IMGUTILS @ 0x7fff39c32330] Picture size 65535x65535 is invalid'])).toBe('[NULL] [IMGUTILS] Picture size 65535x65535 is invalid');
  });
});
