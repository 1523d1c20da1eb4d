import type { Seeding } from '../options.js';

/** How the pictures and messages name each mode, and the source beside them (a side-by-side's first panel). */
export const MODE_LABELS: Readonly<Record<Seeding | 'original', string>> = { original: 'original', none: 'unseeded', seeded: 'seeded', global: 'global palette' };
