import { openInput } from './dist/io/open-input.js';
import { quantizeClip } from './dist/pipeline/quantize-clip.js';
import { resolveSequenceOptions } from './dist/options.js';
import { expandFrame } from './dist/pipeline/expand-frame.js';
const file = process.argv[2];
let prevS = null, prevO = null, prevPal = null; let t = 0; const rows = [];
let total = 0, pairs = 0;
for await (const f of quantizeClip(() => openInput(file, { maxPixels: 1e8, maxFrames: 1e5 }), resolveSequenceOptions({ colors: 16 }))) {
  const out = expandFrame(f.indexed).data; const s = f.source.data;
  if (prevS) {
    let still = 0, sum = 0, flips = 0, palChanged = 0;
    for (let p = 0; p < s.length; p += 4) {
      if (s[p+3] === 0 || prevS[p+3] === 0) continue;
      if (Math.max(Math.abs(s[p]-prevS[p]), Math.abs(s[p+1]-prevS[p+1]), Math.abs(s[p+2]-prevS[p+2])) > 8) continue;
      still++;
      const d = Math.hypot(out[p]-prevO[p], out[p+1]-prevO[p+1], out[p+2]-prevO[p+2]);
      if (d > 0) { flips++; sum += d; }
    }
    for (let i = 0; i < f.indexed.size * 3; i++) if (prevPal && prevPal[i] !== f.indexed.palette[i]) palChanged++;
    const fl = still ? sum / still : 0; if (still) { total += fl; pairs++; }
    rows.push([t, fl, flips, still, f.palette.fresh ? 'FRESH' : '', f.palette.refresh, palChanged]);
  }
  prevS = s.slice(); prevO = out.slice(); prevPal = f.indexed.palette.slice(); t++;
}
console.log('flicker_static', (total / pairs).toFixed(4));
rows.sort((a, b) => b[1] - a[1]);
for (const r of rows.slice(0, 12)) console.log(r.map(x => typeof x === 'number' && !Number.isInteger(x) ? x.toFixed(3) : x).join('\t'));
