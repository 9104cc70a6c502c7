// The counter system with its planted bug: a `temporary` counter that is never restarted.
import { counterSystem } from './counter-system.mjs';

export const { setup, invariants } = counterSystem('temporary');
