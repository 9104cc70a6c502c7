/**
 * OTP's restart-intensity window (supervisor.erl `add_restart`), as a pure function: keep the
 * earlier restart times inside the window (`t >= now - period`, inclusive), add `now`, and give
 * up when the count is then greater than `intensity`.
 */
export function addRestart(
  restarts: readonly number[],
  now: number,
  intensity: number,
  period: number,
): { readonly restarts: number[]; readonly exceeded: boolean } {
  const kept = restarts.filter((t) => t >= now - period);
  kept.push(now);
  return { restarts: kept, exceeded: kept.length > intensity };
}
