import { defineConfig } from 'vitest/config';

// One vitest run over every package, so the run ends with a single summary line.
// Workspace packages resolve to their TypeScript sources through the "source" export condition,
// so tests never need a prior build. Vitest runs tests in Vite's SSR environment, so the condition
// must be set under ssr.resolve (top-level resolve.conditions alone does not reach test files).
export default defineConfig({
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'tests/src/**/*.test.ts'],
    reporters: ['default', './summary-reporter.ts'],
    // eventsource-parser (under the AI SDK) also exports its TypeScript sources under "source";
    // inlined, Vite compiles them instead of handing a .ts file to Node.
    server: { deps: { inline: ['ai', /@ai-sdk\//, 'eventsource-parser'] } },
  },
});
