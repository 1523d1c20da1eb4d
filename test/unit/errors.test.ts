import { describe, expect, it } from 'vitest';
import { systemReason } from '../../src/errors.js';
import { ffmpegFailure } from '../../src/io/ffmpeg-run.js';

describe('error messages a user can act on', () => {
  it('a failed system call reads as words, with its code', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(systemReason(enospc)).toBe('no space left on device (ENOSPC)');
    // The call and the (temporary) path after the comma are dropped.
    const eacces = Object.assign(new Error("EACCES: permission denied, open '/x/.out.tmp-1a2b.gif'"), { code: 'EACCES' });
    expect(systemReason(eacces)).toBe('permission denied (EACCES)');
    expect(systemReason(Object.assign(new Error('odd'), { code: 'EODD' }))).toBe('EODD');
    expect(systemReason(new Error('plain'))).toBe('plain');
  });

  it('ffmpeg running out of disk is reported as such, not as its closing statistics', () => {
    // The tail of what ffmpeg 7 printed writing an .mp4 to a full tmpfs.
    const stderr = [
      '[mp4 @ 0x5a1] av_interleaved_write_frame(): No space left on device',
      '[out#0/mp4 @ 0x5a2] Error writing trailer: No space left on device',
      '[libx264 @ 0x5a3] ref B L0: 88.5% 11.5%',
      '[libx264 @ 0x5a3] kb/s:1368.04',
      'Conversion failed!',
    ].join('\n');
    const err = ffmpegFailure('out.mp4', new Error('ffmpeg exited with code 1'), stderr);
    expect(err.message).toBe('out.mp4: ffmpeg failed: no space left on device');
  });

  it('ffmpeg killed from outside says so, not its last progress line', () => {
    const err = ffmpegFailure('long.mp4', new Error('ffmpeg was killed with signal SIGKILL'), '    encoder         : Lavc58.42.100 rawvideo\n');
    expect(err.message).toBe('long.mp4: ffmpeg was stopped by SIGKILL (out of memory?)');
  });

  it('an MP4 cut short before its index is named as such', () => {
    const stderr = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\ncut.mp4: Invalid data found when processing input\n';
    const err = ffmpegFailure('cut.mp4', new Error('ffmpeg exited with code 1'), stderr);
    expect(err.code).toBe('ERR_INPUT');
    expect(err.message).toBe('cut.mp4: not a complete MP4 (no moov atom): cut short, still being written, or not an MP4 at all');
  });
});
