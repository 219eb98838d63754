// A stand-in for the browser command of the providers file: records its argv (one JSON line per start) in the file
// named by its first argument, so the test can check what a browser would be given and then drive Chromium there.
import { appendFileSync } from 'node:fs';

appendFileSync(process.argv[2], `${JSON.stringify(process.argv.slice(3))}\n`);
