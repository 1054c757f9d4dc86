#!/usr/bin/env node
// The `reengage` command: runs the TypeScript sources as they are (through tsx), as the demo and benchmarks do.
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register } from 'tsx/esm/api';

register();
// The app's sources live in a CommonJS package (functions/), which Node loads through require.
registerCommonJs();
await import('../src/main.ts');
