/**
 * Minimum-cost assignment (the Hungarian method, in its shortest-augmenting-path form with
 * row and column potentials). Palettes are small (k <= 256), so the O(rows² · cols) cost
 * is negligible next to one k-means pass; what matters is that the answer is exactly optimal,
 * which a greedy pairing is not.
 */

import { ChromaseedError } from '../errors.js';

/**
 * Assign every row to a distinct column so the summed cost is minimal.
 *
 * @param cost row-major `rows × cols` matrix of finite costs (any sign, at most 1e300 / (rows + cols + 1) in size).
 * @param rows number of rows; must not exceed `cols`.
 * @param cols number of columns.
 * @returns `rows` column indices, all distinct.
 */
export function solveAssignment(cost: ArrayLike<number>, rows: number, cols: number): Int32Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || rows > cols) {
    throw new ChromaseedError('ERR_INPUT', `assignment needs 0 <= rows <= cols, got ${rows} x ${cols}`);
  }
  if (cost === null || typeof cost !== 'object' || !(cost.length >= rows * cols)) {
    throw new ChromaseedError('ERR_INPUT', `cost matrix has ${cost === null || typeof cost !== 'object' ? String(cost) : `${cost.length} entries`}, expected ${rows * cols} numbers`);
  }
  // The dual potentials add up to rows + cols costs: an infinite or NaN sum never lets the
  // search reach a free column, and it would loop for ever.
  const limit = 1e300 / (rows + cols + 1);
  for (let i = 0; i < rows * cols; i++) {
    if (!(Math.abs(cost[i]) <= limit)) throw new ChromaseedError('ERR_INPUT', `cost ${i} is ${cost[i]}; costs must be finite and at most ${limit.toPrecision(3)} in size`);
  }
  const result = new Int32Array(rows);
  if (rows === 0) return result;

  // 1-based arrays with slot 0 as the "virtual" column the augmenting path starts from.
  // u: row potentials, v: column potentials; reduced cost c(i,j) - u[i] - v[j] stays >= 0.
  const u = new Float64Array(rows + 1);
  const v = new Float64Array(cols + 1);
  // owner[j]: the row (1-based) currently assigned to column j, 0 if free.
  const owner = new Int32Array(cols + 1);
  // prev[j]: the column before j on the shortest path, to flip the path afterwards.
  const prev = new Int32Array(cols + 1);
  const minReduced = new Float64Array(cols + 1);
  const visited = new Uint8Array(cols + 1);

  for (let row = 1; row <= rows; row++) {
    // Grow a Dijkstra-like tree of tight edges from the new row until it reaches a free column.
    owner[0] = row;
    let col = 0;
    minReduced.fill(Infinity);
    visited.fill(0);
    do {
      visited[col] = 1;
      const i = owner[col];
      const base = (i - 1) * cols;
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= cols; j++) {
        if (visited[j]) continue;
        const reduced = cost[base + j - 1] - u[i] - v[j];
        if (reduced < minReduced[j]) {
          minReduced[j] = reduced;
          prev[j] = col;
        }
        if (minReduced[j] < delta) {
          delta = minReduced[j];
          next = j;
        }
      }
      // Shift potentials so the cheapest edge out of the tree becomes tight; visited columns
      // keep their reduced costs, the others come `delta` closer.
      for (let j = 0; j <= cols; j++) {
        if (visited[j]) {
          u[owner[j]] += delta;
          v[j] -= delta;
        } else {
          minReduced[j] -= delta;
        }
      }
      col = next;
    } while (owner[col] !== 0);
    // Flip the assignment along the path back to the virtual column.
    do {
      const before = prev[col];
      owner[col] = owner[before];
      col = before;
    } while (col !== 0);
  }
  for (let j = 1; j <= cols; j++) if (owner[j] !== 0) result[owner[j] - 1] = j - 1;
  return result;
}
