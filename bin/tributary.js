#!/usr/bin/env node
// Launcher of the `tributary` CLI: registers tsx's ESM loader so the CLI and the user's TypeScript
// topology files run without a build step, then hands over to lib/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/main.ts');
await main(process.argv.slice(2));
