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

  it('random bytes that ffmpeg probed as MP3 at its lowest score are no video it can read (it said "ffmpeg failed: Invalid argument")', () => {
    const stderr = [
      '[mp3 @ 0x6696b00] Format mp3 detected only with low score of 1, misdetection possible!',
      '[mp3 @ 0x6696b00] Failed to read frame size: Could not seek to 6023.',
      'r.bin: Invalid argument',
    ].join('\n');
    const err = ffmpegFailure('r.bin', new Error('ffmpeg exited with code 1'), stderr);
    expect([err.code, err.message]).toEqual(['ERR_INPUT', 'r.bin: not a video or an image that ffmpeg can read (ffmpeg took it for mp3 at a guess, then: Invalid argument)']);
  });

  it('a Photoshop document whose pixels ffmpeg refuses is not called damaged outright (ImageMagick\'s RLE, which other programs read)', () => {
    // The bundled ffmpeg 4.1 on `convert coffee.png -resize 64x in.psd` (ImageMagick 6).
    const stderr = [
      '[psd @ 0x10c5b700] Invalid rle char.',
      "Input #0, psd_pipe, from 'in.psd':",
      '    Stream #0:0: Video: psd, gbrp, 64x43, 25 tbr, 25 tbn, 25 tbc',
      'Stream mapping:',
      '[psd @ 0x10c6c780] Invalid rle char.',
      'Error while decoding stream #0:0: Invalid data found when processing input',
      "Output #0, null, to 'pipe:':",
      'Output file is empty, nothing was encoded (check -ss / -t / -frames parameters if used)',
      'Conversion failed!',
    ].join('\n');
    const err = ffmpegFailure('in.psd', new Error('ffmpeg exited with code 1'), stderr);
    expect([err.code, err.message]).toEqual(['ERR_INPUT', "in.psd: a Photoshop document whose pixels ffmpeg could not decode (Invalid rle char): damaged, or of a kind its decoder does not read (ImageMagick's RLE); save it as PNG or TIFF"]);
  });

  it('ffmpeg killed from outside says so, not its last progress line', () => {
    const err = ffmpegFailure('long.mp4', new Error('ffmpeg was killed with signal SIGKILL'), '    encoder         : Lavc58.42.100 rawvideo\n');
    expect(err.message).toBe('long.mp4: ffmpeg was stopped by SIGKILL (out of memory?)');
  });

  it("a failure after the stream report quotes the error, not the report's lines (it quoted \"encoder : Lavc58.42.100 rawvideo\")", () => {
    const stderr = [
      '[apng @ 0x1] inflate returned error -3',
      'Error while decoding stream #0:0: Generic error in an external library',
      "Output #0, rawvideo, to 'pipe:':",
      '  Metadata:',
      '    encoder         : Lavf58.24.100',
      '    Stream #0:0: Video: rawvideo (RGBA / 0x41424752), rgba, 128x128, q=2-31, 2 fps',
      '    Metadata:',
      '      encoder         : Lavc58.42.100 rawvideo',
      'frame=    1 fps=0.0 q=-0.0 Lsize=      64kB time=00:00:02.00 bitrate= 262.1kbits/s',
      'video:64kB audio:0kB subtitle:0kB other streams:0kB global headers:0kB muxing overhead: 0.000000%',
      'Conversion failed!',
    ].join('\n');
    const err = ffmpegFailure('bad.png', new Error('ffmpeg exited with code 1'), stderr);
    expect([err.code, err.message]).toEqual(['ERR_INPUT', 'bad.png: ffmpeg failed: Error while decoding stream #0:0: Generic error in an external library']);
    // An error line that starts with a file's name is no report line, whatever the name.
    const named = ffmpegFailure('take : 2.mkv', new Error('ffmpeg exited with code 1'), '[matroska,webm @ 0x1] EBML header parsing failed\ntake : 2.mkv: Invalid data found when processing input\n');
    expect([named.code, named.message]).toEqual(['ERR_INPUT', 'take : 2.mkv: not a video or an image that ffmpeg can read (ffmpeg: Invalid data found when processing input)']);
  });

  it('an MP4 cut short before its index is named as such', () => {
    const stderr = '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] moov atom not found\ncut.mp4: Invalid data found when processing input\n';
    const err = ffmpegFailure('cut.mp4', new Error('ffmpeg exited with code 1'), stderr);
    expect(err.code).toBe('ERR_INPUT');
    expect(err.message).toBe('cut.mp4: not a complete MP4 (no moov atom): cut short, still being written, or not an MP4 at all');
  });

  it('an MP4 whose track header is damaged is called damaged, not a file without video or one needing a codec', () => {
    const failed = new Error('ffmpeg exited with code 1');
    // Its sample description gone: ffmpeg 4.1 looks for a decoder of no codec.
    const noCodec = ffmpegFailure('a.mp4', failed, "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] Could not find codec parameters for stream 0 (Video: none, none, 39 kb/s): unknown codec\nInput #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':\n    Stream #0:0(eng): Video: none, none, 39 kb/s, 30.02 fps, 30.02 tbr, 45k tbn, 45k tbc (default)\nStream mapping:\n  Stream #0:0 -> #0:0 (? (?) -> rawvideo (native))\nDecoder (codec none) not found for input stream #0:0\n");
    expect([noCodec.code, noCodec.message]).toEqual(['ERR_INPUT', 'a.mp4: damaged: its header does not say which codec the video is in (ffmpeg: Decoder (codec none) not found)']);
    // Its track header's size zeroed: a track of no kind.
    const noKind = ffmpegFailure('b.mp4', failed, "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] stream 0, timescale not set\nInput #0, mov,mp4,m4a,3gp,3g2,mj2, from 'b.mp4':\n    Stream #0:0: Data: none (default)\nStream map '0:V:0' matches no streams.\nTo ignore this, add a trailing '?' to the map.\n");
    expect([noKind.code, noKind.message]).toEqual(['ERR_INPUT', 'b.mp4: damaged: ffmpeg finds a track but not what kind it is (its header is damaged, or the file is cut short inside it), so no video stream to read']);
    // A real data track names its tag, and beside sound the file is one of sound only.
    const telemetry = ffmpegFailure('c.mp4', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'c.mp4':\n    Stream #0:0(eng): Data: none (gpmd / 0x646D7067), 61 kb/s (default)\nStream map '0:V:0' matches no streams.\n");
    expect(telemetry.message).toBe('c.mp4: has no video stream');
    // A tag with spaces in it (an RTP hint track's) is a tag all the same.
    const hint = ffmpegFailure('e.mov', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'e.mov':\n    Stream #0:0(eng): Data: none (rtp  / 0x20707472), 9 kb/s\nStream map '0:V:0' matches no streams.\n");
    expect(hint.message).toBe('e.mov: has no video stream');
    // A codec tag ffmpeg does not know, in a sound file: no damage, a codec it lacks.
    const unknown = ffmpegFailure('f.mov', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'f.mov':\n    Stream #0:0(und): Video: none (zzzz / 0x7A7A7A7A), none, 64x48, 12 kb/s, 10 fps, 10 tbr, 10240 tbn, 10240 tbc (default)\nStream mapping:\n  Stream #0:0 -> #0:0 (? (?) -> rawvideo (native))\nDecoder (codec none) not found for input stream #0:0\n");
    expect([unknown.code, unknown.message]).toEqual(['ERR_INPUT', 'f.mov: its video is in a codec ffmpeg does not know (tagged "zzzz") (ffmpeg: Decoder (codec none) not found)']);
    // Beside sound, such a track may be the sound file's own, or its video, damaged: both said.
    const sound = ffmpegFailure('d.m4a', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'd.m4a':\n    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)\n    Stream #0:1: Data: none (default)\nStream map '0:V:0' matches no streams.\n");
    expect(sound.message).toBe("d.m4a: has no video stream, only sound and a track ffmpeg cannot tell the kind of (if that was the video, the file's header is damaged)");
    const onlySound = ffmpegFailure('g.m4a', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'g.m4a':\n    Stream #0:0(und): Audio: aac (LC) (mp4a / 0x6134706D), 44100 Hz, stereo, fltp, 128 kb/s (default)\nStream map '0:V:0' matches no streams.\n");
    expect(onlySound.message).toBe('g.m4a: has no video stream');
  });

  // The bundled ffmpeg 4.1 on MP4s a fuzzing audit damaged (2026-12-06).
  it('an MP4 whose header lists no stream, or whose decoder will not open, or whose tables ffmpeg gives up on, is called damaged', () => {
    const failed = new Error('ffmpeg exited with code 1');
    const noStream = ffmpegFailure('a.mp4', failed, "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'a.mp4':\n  Duration: 00:00:01.03, bitrate: 107 kb/s\nStream map '0:V:0' matches no streams.\nTo ignore this, add a trailing '?' to the map.\n");
    expect([noStream.code, noStream.message]).toEqual(['ERR_INPUT', 'a.mp4: ffmpeg finds no stream in it at all: damaged, or an empty container']);
    // It said "not a video or an image that ffmpeg can read": the demuxer's report comes first.
    const table = ffmpegFailure('b.mp4', failed, '[mov,mp4,m4a,3gp,3g2,mj2 @ 0x5728bc0] error reading header\nb.mp4: Invalid data found when processing input\n');
    expect([table.code, table.message]).toEqual(['ERR_INPUT', 'b.mp4: damaged: ffmpeg could not read its header (ffmpeg: Invalid data found when processing input)']);
    const decoder = ffmpegFailure('c.mov', failed, "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x1] stream 1, timescale not set\nInput #0, mov,mp4,m4a,3gp,3g2,mj2, from 'c.mov':\n    Stream #0:0(eng): Video: h264 (avc1 / 0x31637661), none, 160x120, 97 kb/s, 30.02 fps (default)\nStream mapping:\n  Stream #0:0 -> #0:0 (h264 (native) -> rawvideo (native))\nError while opening decoder for input stream #0:0 : Invalid data found when processing input\n");
    expect([decoder.code, decoder.message]).toEqual(['ERR_INPUT', "c.mov: damaged: ffmpeg could not open its video's decoder with what its header says (ffmpeg: Error while opening decoder for input stream #0:0 : Invalid data found when processing input)"]);
  });

  it('of no frame decoded, a time scale or a picture size that cannot be right is damage, quoted without addresses or advice to update ffmpeg', () => {
    const failed = new Error('ffmpeg exited with code 1');
    const empty = 'Output file is empty, nothing was encoded (check -ss / -t / -frames parameters if used)\n';
    const timescale = ffmpegFailure('d.mp4', failed, `[mov,mp4,m4a,3gp,3g2,mj2 @ 0x13597bc0] Support for mvhd.timescale = 0 with editlists is not implemented. Update your FFmpeg version to the newest one from Git. If the problem still occurs, it means that your file has a feature which has not been implemented.\n${empty}`);
    expect(timescale.message).toBe('d.mp4: ffmpeg decoded no frame: the file is cut short or damaged before its first frame ([mov,mp4,m4a,3gp,3g2,mj2] Support for mvhd.timescale = 0 with editlists is not implemented.)');
    const size = ffmpegFailure('e.mp4', failed, `[NULL @ 0x1dc18540] [IMGUTILS @ 0x7ffe3b9d9f60] Picture size 23757x39020 is invalid\n${empty}`);
    expect(size.message).toBe('e.mp4: ffmpeg decoded no frame: the file is cut short or damaged before its first frame ([NULL] [IMGUTILS] Picture size 23757x39020 is invalid)');
  });

  it("a failure's reason is not the stream report's longest key (it quoted \"compatible_brands: isomiso2avc1mp41\"), nor ffmpeg's request for a sample", () => {
    const stderr = "Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'f.mp4':\n  Metadata:\n    major_brand     : isom\n    compatible_brands: isomiso2avc1mp41\n";
    expect(ffmpegFailure('f.mp4', new Error('ffmpeg exited with code 69'), `[h264 @ 0x1] Invalid NAL unit size (975437765 > 1715).\n${stderr}`).message).toBe('f.mp4: ffmpeg failed: [h264] Invalid NAL unit size (975437765 > 1715).');
    // Nor its request for a sample of a file with a feature it lacks, a line of its own after its report.
    const sample = '[h264 @ 0x1] If you want to help, upload a sample of this file to https://streams.videolan.org/upload/ and contact the ffmpeg-devel mailing list. (ffmpeg-devel@ffmpeg.org)';
    expect(ffmpegFailure('g.mp4', new Error('ffmpeg exited with code 1'), `${stderr}[h264 @ 0x1] Increasing reorder buffer to 1 is not implemented. Update your FFmpeg version to the newest one from Git. If the problem still occurs, it means that your file has a feature which has not been implemented.\n${sample}\n`).message).toBe('g.mp4: ffmpeg failed: [h264] Increasing reorder buffer to 1 is not implemented.');
  });
});
