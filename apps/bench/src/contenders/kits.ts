import type { Kit } from './kit.js';
import { nactKit } from './nact-kit.js';
import { rawKit } from './raw-kit.js';
import { wardenKit } from './warden-kit.js';
import { xstateKit } from './xstate-kit.js';

/** Every contender's implementation of the Savina actor interface, in report order. */
export const KITS: readonly Kit[] = [rawKit, wardenKit, xstateKit, nactKit];
