// The counter system as it should be: it keeps its invariants under every schedule.
import { counterSystem } from './counter-system.mjs';

export const { setup, invariants } = counterSystem('permanent');
