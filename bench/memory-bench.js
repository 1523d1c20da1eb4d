// Streaming memory: peak RSS of `chromaseed quantize` on 100 and 2,000 frames of the same
// 320x240 clip, of the whole process tree (node and the ffmpeg processes it starts: the
// decoder, and the encoder of an MP4), sampled every 20 ms; node's own peak beside it.
// Frames flow through the pipeline one at a time, so the longer clip may not raise the
// tree's peak by more than 25% (issue 3). --quick: 100 and 500 frames (no verdict on the
// target, which is set at 2,000).
// Then `palette` of a 12-megapixel photo, beside ffmpeg's palettegen and ImageMagick's -colors.
import path from 'node:path';
import sharp from 'sharp';
import { makeLongClip } from './clips.js';
import { checkArgs, CORPUS, findPeer, runCli, runSampled, table, tempDir } from './lib.js';

export async function memoryBench({ quick = false } = {}) {
  const dir = tempDir('memory');
  const long = quick ? 500 : 2000;
  const rows = [['frames', 'output', 'peak RSS MiB, whole tree', 'peak RSS MiB, node alone', 'seconds']];
  const peaks = {};
  for (const frames of [100, long]) {
    const clip = await makeLongClip(dir, frames);
    for (const ext of ['gif', 'mp4']) {
      const r = await runCli(['quantize', clip, '-k', '16', '-o', path.join(dir, `out-${frames}.${ext}`), '--quiet'], dir);
      rows.push([frames, ext, r.treePeakMiB.toFixed(1), r.nodeMaxRssMiB.toFixed(1), r.seconds.toFixed(1)]);
      peaks[`${ext}-${frames}`] = r;
    }
  }
  console.log('\n### Streaming memory, 320x240, k = 16\n');
  console.log(table(rows));
  console.log('(whole tree: node and its ffmpeg processes, VmRSS summed, sampled every 20 ms; node alone: its maxRSS)');
  for (const ext of ['gif', 'mp4']) {
    const growth = (key) => peaks[`${ext}-${long}`][key] / peaks[`${ext}-100`][key] - 1;
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    const tree = growth('treePeakMiB');
    const verdict = quick ? `target ≤ 25% at 2,000 frames; --quick stops at ${long}: no verdict` : `target ≤ 25%: ${tree <= 0.25 ? 'ok' : 'MISS'}`;
    console.log(`${ext}: peak RSS of the whole tree grows ${pct(tree)} from 100 to ${long.toLocaleString('en')} frames (${verdict}); node alone ${pct(growth('nodeMaxRssMiB'))}`);
  }
}

/**
 * `palette -k 8` of a 12-megapixel photo (4000x3000, a phone camera's size: harvesters.jpeg
 * enlarged), its peak memory and seconds, beside two peers on the same file: ffmpeg's
 * palettegen (9 entries, so it has 8 colours, as in METRICS.md's commands) and ImageMagick's
 * `-colors 8`. A peer not installed is skipped, and said to be. One run each.
 */
export async function photoPaletteBench() {
  const dir = tempDir('photo');
  const photo = path.join(dir, 'harvesters-4000x3000.jpg');
  await sharp(path.join(CORPUS, 'stills/wuffs__harvesters.jpeg')).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 92 }).toFile(photo);
  const rows = [['tool', 'peak RSS MiB', 'seconds']];
  const mine = await runCli(['palette', photo, '-k', '8', '--quiet'], dir);
  rows.push(['chromaseed palette -k 8', mine.treePeakMiB.toFixed(1), mine.seconds.toFixed(2)]);
  const peers = [
    ['ffmpeg palettegen=max_colors=9', findPeer('ffmpeg'), 'ffmpeg', (bin) => [bin, ['-v', 'error', '-y', '-i', photo, '-vf', 'palettegen=max_colors=9', path.join(dir, 'palette.png')]]],
    ['ImageMagick -colors 8', findPeer('convert', undefined, /ImageMagick/), 'imagemagick', (bin) => [bin, [photo, '-colors', '8', '-unique-colors', path.join(dir, 'colours.txt')]]],
  ];
  for (const [label, bin, pkg, command] of peers) {
    if (bin === null) {
      console.log(`${label}: not found (apt-get install ${pkg}); row skipped`);
      continue;
    }
    const r = await runSampled(...command(bin));
    rows.push([label, r.treePeakMiB.toFixed(1), r.seconds.toFixed(2)]);
  }
  console.log('\n### Palette of a 12-megapixel photo\n');
  console.log(table(rows));
  console.log('(peak RSS: the process and its children, VmRSS summed, sampled every 20 ms; one run each)');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const options = checkArgs('node bench/memory-bench.js [--quick]: peak memory of chromaseed and its ffmpeg processes at 100 and 2,000 frames (--quick: 100 and 500), then of palette on a 12-megapixel photo beside ffmpeg and ImageMagick', ['--quick']);
  await memoryBench({ quick: options.has('--quick') });
  await photoPaletteBench();
}
