import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { defineTool } from '@warden/agents';

/** The schema type `defineTool` takes, as the agent layer declares it. */
type Schema = Parameters<typeof defineTool>[0]['input'];

/** The few schema builders these tests use. */
export interface TestZod {
  object(shape: Record<string, Schema>): Schema;
  string(): Schema;
}

/*
 * zod is the agent layer's schema library, not a dependency of the dashboard: the tests load the
 * very copy @warden/agents imports (its ESM entry), so that `defineTool` recognises their schemas
 * as its own (a second copy of zod would fail its `instanceof` check).
 */
const fromAgents = createRequire(new URL('../../agents/package.json', import.meta.url));
const entry = join(dirname(fromAgents.resolve('zod')), 'index.js');
export const z = ((await import(pathToFileURL(entry).href)) as { z: TestZod }).z;
