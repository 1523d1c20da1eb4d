/**
 * Starts a clock; the function returned gives the seconds since. It reads process.hrtime
 * rather than the `performance` global, whose first use loads perf_hooks: 1.5 ms of
 * every run's start.
 */
export function startStopwatch(): () => number {
  const start = process.hrtime.bigint();
  return () => Number(process.hrtime.bigint() - start) / 1e9;
}
