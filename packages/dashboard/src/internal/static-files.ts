import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { checks } from '../dashboard-options.js';

export interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page's files at most (a built page has a handful; a wrong `uiDir` could hold a disk). */
const MAX_FILES = 200;
const MAX_BYTES = 16 * 1024 * 1024;

/**
 * Reads the built page into memory once, keyed by URL path: a request is answered by a lookup
 * in this table and nothing else, so no request path ever reaches the file system (no traversal,
 * no symlink surprise). A `uiDir` without an `index.html` is refused at start with what to do.
 */
export function loadStaticFiles(dir: string): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  let bytes = 0;
  const walk = (at: string): void => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        walk(path);
        continue;
      }
      const type = TYPES[extname(name)];
      if (!stat.isFile() || type === undefined) continue;
      bytes += stat.size;
      if (files.size >= MAX_FILES || bytes > MAX_BYTES) {
        throw checks.invalid('uiDir', dir, `a built page (at most ${MAX_FILES} files)`);
      }
      files.set(`/${relative(dir, path).split(sep).join('/')}`, { body: readFileSync(path), type });
    }
  };
  try {
    walk(dir);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
  if (!files.has('/index.html')) {
    throw checks.invalid(
      'uiDir',
      dir,
      'a folder with the built page: run the package build (vite build), or pass uiDir: false',
    );
  }
  return files;
}
