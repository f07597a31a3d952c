#!/usr/bin/env node
// Thin entry: everything lives in the compiled CLI (npm ci runs `prepare`, which builds dist/).
import { main } from '../dist/src/cli/main.js';

await main(process.argv);
