// Writes the release's downloadable files into a directory (default release/): the npm package tarball, which is
// also the single-file download for machines without npm (it holds the self-contained bundles), and SHA256SUMS in
// the format `sha256sum -c` reads. The release workflow attaches both to the GitHub release.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(root, 'release'));
mkdirSync(outDir, { recursive: true });

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packed = JSON.parse(
  execFileSync(npm, ['pack', '--json', '--pack-destination', outDir], { cwd: root, encoding: 'utf8' }),
);
const tarball = packed[0].filename;
const digest = createHash('sha256')
  .update(readFileSync(join(outDir, tarball)))
  .digest('hex');
writeFileSync(join(outDir, 'SHA256SUMS'), `${digest}  ${tarball}\n`);
console.log(`release: ${join(outDir, tarball)} (${packed[0].size} bytes, ${packed[0].entryCount} files)`);
console.log(`release: ${join(outDir, 'SHA256SUMS')} sha256 ${digest}`);
