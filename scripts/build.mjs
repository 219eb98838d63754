// Bundles every entry point with ncc into dist/. One minified file per program (plus lazily loaded chunks),
// no source maps, so that the committed dist/ is byte-for-byte what this script produces.
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ncc from '@vercel/ncc';
import { minify } from 'terser';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entries = [
  // `bin`: a command of the npm package (package.json "bin"); it gets a `#!` line so npm can link it as a program.
  { source: 'src/index.ts', out: 'dist', bin: true },
  { source: 'src/cleanup.ts', out: 'dist/cleanup' },
  { source: 'src/issuer/main.ts', out: 'dist/issuer', bin: true },
  { source: 'src/emulator/main.ts', out: 'dist/emulator', bin: true },
  { source: 'src/demo/main.ts', out: 'dist/demo' },
];

// `node scripts/build.mjs issuer` rebuilds only dist/issuer; with no argument everything is rebuilt from scratch.
const only = process.argv.slice(2);
const selected =
  only.length === 0 ? entries : entries.filter((e) => only.includes(e.out.replace(/^dist\/?/, '') || 'index'));
const missing = selected.filter((e) => !existsSync(join(root, e.source)));
if (missing.length > 0 || selected.length === 0) {
  console.error(`build: missing entry point(s): ${missing.map((e) => e.source).join(', ') || only.join(', ')}`);
  process.exit(1);
}

if (only.length === 0) rmSync(join(root, 'dist'), { recursive: true, force: true });
for (const entry of selected) {
  if (only.length > 0 && entry.out !== 'dist') rmSync(join(root, entry.out), { recursive: true, force: true });
  const { code, assets } = await ncc(join(root, entry.source), {
    minify: true,
    sourceMap: false,
    quiet: true,
    license: '',
    target: 'es2022',
  });
  const outDir = join(root, entry.out);
  mkdirSync(outDir, { recursive: true });
  // Programs are executable in the tarball too, for agents that unpack the release without npm.
  writeFileSync(join(outDir, 'index.js'), entry.bin ? `#!/usr/bin/env node\n${code}` : code, {
    mode: entry.bin ? 0o755 : 0o644,
  });
  chmodSync(join(outDir, 'index.js'), entry.bin ? 0o755 : 0o644);
  for (const [name, asset] of Object.entries(assets)) {
    const file = join(outDir, name);
    mkdirSync(dirname(file), { recursive: true });
    // ncc minifies the entry file only; lazily loaded chunks get the same treatment here (smaller, faster to compile).
    const source = name.endsWith('.js') ? (await minify(asset.source.toString(), { ecma: 2020 })).code : asset.source;
    writeFileSync(file, source);
  }
  const chunks = Object.keys(assets).filter((name) => name.endsWith('.js'));
  console.log(
    `build: ${entry.out}/index.js ${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB${chunks.length ? ` + ${chunks.length} chunk(s)` : ''}`,
  );
}
