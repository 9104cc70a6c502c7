import { fileURLToPath } from 'node:url';

/**
 * The built page: `dist/ui` of this package. This file sits directly under `src/` (run from
 * sources) and, compiled, directly under `dist/` (run from an installed package), so one level
 * up is the package root either way.
 */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../dist/ui/', import.meta.url));
