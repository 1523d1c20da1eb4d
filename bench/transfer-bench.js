// Transfer: what each --method trades off, on ten pairs of corpus stills (each still's
// palette onto the still three places after it in the list), k = 8, width 400. Per pair and
// on average: the per-pixel CIELAB L* correlation between target and output (light and shade
// kept), the mean ΔE76 between them (colours kept), and the L1 distance between the output's
// colour shares and the source palette's (the source's look). Not timed.
// Run after building: `npm run bench -- --only=transfer`.
import path from 'node:path';
import { openInput } from '../dist/io/open-input.js';
import { resolveInputOptions, resolveSequenceOptions, TRANSFER_METHODS } from '../dist/options.js';
import { expandToRgba } from '../dist/pipeline/expand-frame.js';
import { quantizeClip } from '../dist/pipeline/quantize-clip.js';
import { extractSourcePalette } from '../dist/transfer/source-palette.js';
import { srgbToLab } from '../dist/color/space.js';
import { createPaletteTransfer } from '../dist/transfer/transfer.js';
import { checkArgs, CORPUS, table } from './lib.js';

checkArgs('node bench/transfer-bench.js: what the transfer methods trade off (run.js passes --quick, which it ignores)', ['--quick']);

const STILLS = [
  'imageio__kodim03.png', 'skimage__astronaut.png', 'skimage__chelsea.png', 'skimage__coffee.png', 'skimage__hubble_deep_field.jpg',
  'skimage__retina.jpg', 'skimage__rocket.jpg', 'wuffs__bricks-color.jpeg', 'wuffs__harvesters.jpeg', 'wuffs__hibiscus.regular.jpeg',
];
const inputs = resolveInputOptions({ width: 400 });
const clustering = resolveSequenceOptions({ colors: 8 });
const open = (name) => () => openInput(path.join(CORPUS, 'stills', name), inputs);
const short = (name) => name.replace(/^[^_]+__/, '');

/** The three figures for `method`, transferring `source`'s palette onto `target`. */
async function measure(source, target, method) {
  const transfer = createPaletteTransfer(source, { method });
  const a = new Float64Array(3);
  const b = new Float64Array(3);
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, deltaE = 0;
  const counts = new Map();
  for await (const q of quantizeClip(open(target), clustering)) {
    const repainted = transfer.next({ source: q.source, indexed: q.indexed, inertia: q.palette.inertia, fresh: q.palette.fresh });
    const out = new Uint8Array(repainted.width * repainted.height * 4);
    expandToRgba(repainted, out, 0);
    const t = q.source.data;
    for (let p = 0; p < t.length; p += 4) {
      if (t[p + 3] === 0) continue;
      srgbToLab(t[p], t[p + 1], t[p + 2], a, 0);
      srgbToLab(out[p], out[p + 1], out[p + 2], b, 0);
      n++;
      sx += a[0]; sy += b[0]; sxx += a[0] * a[0]; syy += b[0] * b[0]; sxy += a[0] * b[0];
      deltaE += Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
      const key = (out[p] << 16) | (out[p + 1] << 8) | out[p + 2];
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const shares = new Map();
  for (let j = 0; j < source.size; j++) {
    const key = (source.rgb[j * 3] << 16) | (source.rgb[j * 3 + 1] << 8) | source.rgb[j * 3 + 2];
    shares.set(key, (shares.get(key) ?? 0) + source.proportions[j]);
  }
  let l1 = 0;
  for (const key of new Set([...shares.keys(), ...counts.keys()])) l1 += Math.abs((shares.get(key) ?? 0) - (counts.get(key) ?? 0) / n);
  return { corr: (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy)), deltaE: deltaE / n, l1 };
}

const rows = [['source', 'target', ...TRANSFER_METHODS.map((m) => `${m}: L* corr / ΔE / shares L1`)]];
const sums = Object.fromEntries(TRANSFER_METHODS.map((m) => [m, { corr: 0, deltaE: 0, l1: 0 }]));
for (let i = 0; i < STILLS.length; i++) {
  const sourceName = STILLS[i];
  const targetName = STILLS[(i + 3) % STILLS.length];
  const source = await extractSourcePalette(open(sourceName), clustering, sourceName);
  const cells = [];
  for (const method of TRANSFER_METHODS) {
    const r = await measure(source, targetName, method);
    for (const k of ['corr', 'deltaE', 'l1']) sums[method][k] += r[k];
    cells.push(`${r.corr.toFixed(3)} / ${r.deltaE.toFixed(1)} / ${r.l1.toFixed(3)}`);
  }
  rows.push([short(sourceName), short(targetName), ...cells]);
}
rows.push(['mean', '', ...TRANSFER_METHODS.map((m) => `${(sums[m].corr / STILLS.length).toFixed(3)} / ${(sums[m].deltaE / STILLS.length).toFixed(1)} / ${(sums[m].l1 / STILLS.length).toFixed(3)}`)]);
console.log(table(rows));
