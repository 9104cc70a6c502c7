/**
 * OTP's restart-intensity window (supervisor.erl `add_restart`), as a pure function: keep the
 * earlier restart times inside the window (`t >= now - period`, inclusive), add `now`, and give
 * up when the count is then greater than `intensity`.
 *
 * `restarts` is in ascending order, as this function returns it (the node's clock is
 * monotonic), so the times that left the window are a prefix: they are skipped and the rest is
 * copied at once, where filtering every time cost a supervisor with a wide window and thousands
 * of recent restarts twice its restart latency.
 */
export function addRestart(
  restarts: readonly number[],
  now: number,
  intensity: number,
  period: number,
): { readonly restarts: number[]; readonly exceeded: boolean } {
  const oldest = now - period;
  let expired = 0;
  while (expired < restarts.length && (restarts[expired] as number) < oldest) expired++;
  const kept = restarts.slice(expired);
  kept.push(now);
  return { restarts: kept, exceeded: kept.length > intensity };
}
