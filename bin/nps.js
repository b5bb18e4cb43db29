#!/usr/bin/env node
// Launcher only: the program lives in dist/nps/ (bundled by `npm ci` through `prepare`: scripts/build.mjs).
import { main } from '../dist/nps/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
