/**
 * Event times are the node clock's monotonic milliseconds (virtual under a `TestClock`); spans
 * want wall time. One offset taken at install keeps every duration exactly as the node measured
 * it, so a trace of a test run shows the virtual minutes the incident took.
 */
export type EpochOf = (time: number) => number;

export function offsetEpoch(clockNow: number, wallNow: number): EpochOf {
  const offset = wallNow - clockNow;
  return (time) => time + offset;
}
