#!/usr/bin/env node
// The `sbx` executable: runs the CLI on this process's arguments.

import { main } from './main.js';

await main(process.argv.slice(2));
