#!/usr/bin/env node
// Launcher only: the program lives in dist/ (built by `npm ci` through `prepare`).
import { main } from '../dist/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
