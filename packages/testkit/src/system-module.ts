import { pathToFileURL } from 'node:url';
import type { Invariant } from './invariant.js';
import type { Setup } from './run-schedule.js';
import { invalidOption } from './testkit-error.js';

/**
 * A system given by where it lives rather than as a function: a JavaScript module exporting
 * `setup` (a `Setup`) and `invariants` (the invariants it must keep). Worker threads cannot
 * share functions with the test, so a check that runs in several of them loads the system from
 * its module in each; the test's own thread loads it too, to shrink and print a failure.
 */
export interface SystemModule {
  /** A file path or `file:` URL of a module Node can load in a worker thread (JavaScript). */
  readonly module: string | URL;
}

/** What a system module exports. */
export interface LoadedSystem {
  readonly setup: Setup;
  readonly invariants: readonly Invariant[];
}

export function isSystemModule(value: unknown): value is SystemModule {
  return typeof value === 'object' && value !== null && 'module' in value;
}

/** The module's address as workers and `import()` take it: a `file:` URL. */
export function moduleHref(system: SystemModule): string {
  const { module } = system;
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module === '') {
    throw invalidOption('module', module, 'a file path or file: URL');
  }
  return /^[a-z][a-z0-9+.-]*:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)
    ? module
    : pathToFileURL(module).href;
}

/** Imports the module and checks what it exports, naming what is missing. */
export async function loadSystem(href: string): Promise<LoadedSystem> {
  let exports: Record<string, unknown>;
  try {
    exports = (await import(href)) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw invalidOption('module', href, `a module that loads (${detail})`);
  }
  const { setup, invariants } = exports;
  if (typeof setup !== 'function') {
    throw invalidOption('module', href, 'a module exporting `setup`, a function');
  }
  if (!Array.isArray(invariants)) {
    throw invalidOption('module', href, 'a module exporting `invariants`, a list');
  }
  return { setup: setup as Setup, invariants: invariants as readonly Invariant[] };
}
