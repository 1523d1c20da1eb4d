import { describe, expect, it } from 'vitest';
import { leverVariants } from '../../src/cli/compare-command.js';
import { resolveSequenceOptions } from '../../src/options.js';

describe('compare --levers rows', () => {
  const row = (rows: ReturnType<typeof leverVariants>, name: string) => rows.find(([label]) => label === name)?.[1];

  it('"no iteration cap" gives seeded frames the full run, --max-iterations (it was the preset none\'s 300, under a --frame-iterations 500)', () => {
    const rows = leverVariants(resolveSequenceOptions({ colors: 8, frameIterations: 500, maxIterations: 1000 }));
    expect(row(rows, 'seeded, no iteration cap')?.stability.frameIterations).toBe(1000);
    // The other levers are the preset's, as in the seeded run.
    expect(row(rows, 'seeded, no iteration cap')?.stability.paletteHold).toBe(1);
  });

  it('has no such row where the cap is already the full run', () => {
    const rows = leverVariants(resolveSequenceOptions({ colors: 8, frameIterations: 300 }));
    expect(row(rows, 'seeded, no iteration cap')).toBeUndefined();
    expect(row(rows, 'seeded, no palette hold')?.stability.paletteHold).toBe(0);
  });
});
