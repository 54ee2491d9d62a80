/**
 * Entry of the bundle and of the single executable (scripts/build-bundle.mjs): runs the CLI.
 * dist/src/cli/main.js runs itself instead, when it is the process's main module.
 */
import { main } from './main.js';

void main();
