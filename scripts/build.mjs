// Bundles every entry point with ncc into dist/. One minified file per program (plus lazily loaded chunks),
// with a source map beside each program's files, so that the committed dist/ is byte-for-byte what this script produces.
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
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
  // The audience automation's AWS Lambda function: zip dist/lambda/index.js, handler `index.handler`.
  { source: 'src/lambda/index.ts', out: 'dist/lambda' },
  // The demo runs only from a clone, where src/ is at hand: no map.
  { source: 'src/demo/main.ts', out: 'dist/demo', maps: false },
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
  const outDir = join(root, entry.out);
  const { code, map, assets } = await ncc(join(root, entry.source), {
    minify: true,
    // Maps sit next to each bundle for readers and for stack traces under --debug; nothing registers them, so the
    // normal path never reads them. Their `sources` are relative to the map: ../src/… from dist, ../../src/… deeper.
    sourceMap: entry.maps !== false,
    sourceMapRegister: false,
    sourceMapBasePrefix: `${relative(outDir, root)}/`,
    quiet: true,
    license: '',
    target: 'es2022',
  });
  mkdirSync(outDir, { recursive: true });
  // Programs are executable in the tarball too, for agents that unpack the release without npm. The `#!` line
  // shifts the code down one line, and so the map gets one empty line in front.
  const shebang = entry.bin ? '#!/usr/bin/env node\n' : '';
  writeFileSync(join(outDir, 'index.js'), shebang + code);
  chmodSync(join(outDir, 'index.js'), entry.bin ? 0o755 : 0o644);
  if (map) writeFileSync(join(outDir, 'index.js.map'), shebang ? shiftMap(map) : map);
  for (const [name, asset] of Object.entries(assets)) {
    if (name.endsWith('.js.map')) continue; // written with its chunk below, after minification
    const file = join(outDir, name);
    mkdirSync(dirname(file), { recursive: true });
    if (!name.endsWith('.js')) {
      writeFileSync(file, asset.source);
      continue;
    }
    // ncc minifies the entry file only; lazily loaded chunks get the same treatment here (smaller, faster to
    // compile), carrying ncc's map through terser so the chunk's map still points into src/.
    const chunkMap = assets[`${name}.map`];
    const minified = await minify(asset.source.toString(), {
      ecma: 2020,
      // ASCII only (`…` becomes `\u2026`): V8 keeps a source with any character above U+00FF as two bytes per
      // character, which is slower to scan; and the committed chunks stay plain text for `git diff`.
      format: { ascii_only: true },
      ...(chunkMap ? { sourceMap: { content: chunkMap.source.toString(), url: `${basename(name)}.map` } } : {}),
    });
    writeFileSync(file, minified.code);
    if (chunkMap) writeFileSync(`${file}.map`, minified.map);
  }
  const chunks = Object.keys(assets).filter((name) => name.endsWith('.js'));
  console.log(
    `build: ${entry.out}/index.js ${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB${chunks.length ? ` + ${chunks.length} chunk(s)` : ''}`,
  );
}

/** A map for code that gained one line at the top. */
function shiftMap(map) {
  const parsed = JSON.parse(map);
  parsed.mappings = `;${parsed.mappings}`;
  return JSON.stringify(parsed);
}
