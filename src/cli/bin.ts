#!/usr/bin/env node
// The `homeostat` executable: everything lives in main.ts so tests can call it in-process.
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
