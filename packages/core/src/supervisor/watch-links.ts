import type { ActorContext } from '../context.js';
import { isPid } from '../pid.js';

/**
 * The supervisor's context as a function start sees it, noting every pid the function linked or
 * unlinked (`spawnLink`, `startLink`, `link`, `unlink`). The links of those pids are the
 * function's business, as in OTP, where the start function links and the supervisor never
 * re-links: a child that unlinked itself (OTP's "naughty child") stays unlinked. A pid the function
 * touched in none of these ways (one it got from a call, say) is linked by the supervisor, which
 * could not see it exit otherwise (decision 0019).
 */
export function watchLinks(ctx: ActorContext): { ctx: ActorContext; touched: Set<string> } {
  const touched = new Set<string>();
  const note = (pid: unknown): void => {
    if (isPid(pid)) touched.add(pid.key);
  };
  const watched = new Proxy(ctx, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      switch (property) {
        case 'spawnLink': {
          return (...args: unknown[]) => {
            const pid = method.apply(target, args);
            note(pid);
            return pid;
          };
        }
        case 'startLink':
          return async (...args: unknown[]) => {
            const result = await method.apply(target, args);
            note(result);
            return result;
          };
        case 'link':
        case 'unlink':
          return (pid: unknown) => {
            note(pid);
            return method.call(target, pid);
          };
        default:
          return method.bind(target);
      }
    },
  });
  return { ctx: watched, touched };
}
