/**
 * The ways the README tells people to install keyless-aws, run as written: the README's blocks (marked
 * `<!-- readme-test: ID -->`) and examples/jenkins/agent.Dockerfile are executed by bash against the package this
 * checkout produces. Only what points at the outside world is rewritten: the registry spec `keyless-aws@1` becomes
 * the local tarball, the release download URL becomes a loopback server holding the release's files, and
 * system paths (/opt, /usr/local) move into a temporary directory. npm runs with --offline, so nothing leaves the
 * machine.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ROOT } from '../support/run-dist';

const version: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
let work: string;
let releaseDir: string;
let tarball: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'keyless-install-'));
  releaseDir = join(work, 'release');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'release-assets.mjs'), releaseDir], { stdio: 'pipe' });
  tarball = join(releaseDir, `keyless-aws-${version}.tgz`);
  server = createServer((req, res) => {
    const name = basename(req.url ?? '');
    if (!readdirSync(releaseDir).includes(name)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    createReadStream(join(releaseDir, name)).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(work, { recursive: true, force: true });
});

function readmeBlock(id: string): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const match = new RegExp(`<!-- readme-test: ${id} -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\`\`\``).exec(readme);
  if (!match) throw new Error(`README.md has no block marked readme-test: ${id}`);
  return match[1] ?? '';
}

/**
 * Runs a script with bash -e in a fresh directory whose bin/ comes first on PATH; npm cannot reach a registry.
 * Asynchronous on purpose: the release server lives in this process and must keep answering while bash runs.
 */
async function runScript(script: string, name: string): Promise<{ stdout: string; dir: string }> {
  const dir = join(work, name);
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
    // stdin must not be a socket: bash would then take itself for rshd's child and read /etc/bash.bashrc.
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
    env: {
      PATH: `${join(dir, 'prefix', 'bin')}:${join(dir, 'bin')}:${dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: dir,
      npm_config_prefix: join(dir, 'prefix'),
      npm_config_cache: join(dir, 'npm-cache'),
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_loglevel: 'error',
      npm_config_update_notifier: 'false',
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) {
    throw new Error(`script ${name} exited ${code}:\n${script}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`);
  }
  return { stdout, dir };
}

/** npm reports what it added on stdout; the program's own line comes last. */
const endsWithVersion = () => new RegExp(`(^|\\n)keyless-aws ${version.replaceAll('.', '\\.')}\\n$`);

describe('the npm package', () => {
  it('holds the three programs, their chunks and source maps, LICENSE and README, and nothing else', () => {
    const listed = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    const chunks = readdirSync(join(ROOT, 'dist'))
      .filter((name) => name.endsWith('.index.js') || name.endsWith('.js.map'))
      .map((name) => `package/dist/${name}`);
    const programMaps = ['issuer', 'emulator'].map((dir) => `package/dist/${dir}/index.js.map`);
    expect(chunks.length).toBeGreaterThan(0);
    expect(listed).toEqual(
      [
        'package/LICENSE',
        'package/README.md',
        'package/package.json',
        'package/dist/index.js',
        'package/dist/issuer/index.js',
        'package/dist/emulator/index.js',
        ...programMaps,
        ...chunks,
      ].sort(),
    );
  });

  it('declares no runtime dependency (npx fetches one tarball) and a #! line on every program', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }));
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('MIT');
    for (const target of Object.values(manifest.bin as Record<string, string>)) {
      expect(readFileSync(join(ROOT, target), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    }
  });

  it('publishes a SHA256SUMS line that sha256sum -c accepts', () => {
    const sums = readFileSync(join(releaseDir, 'SHA256SUMS'), 'utf8');
    expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  keyless-aws-${version.replaceAll('.', '\\.')}\\.tgz\\n$`));
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: releaseDir, encoding: 'utf8' })).toContain(': OK');
  });
});

describe('README install instructions, executed', () => {
  it('npm install --global puts keyless-aws on PATH', async () => {
    const script = readmeBlock('install-npm').replaceAll('keyless-aws@1', JSON.stringify(tarball));
    expect((await runScript(script, 'npm')).stdout).toMatch(endsWithVersion());
  });

  it('npx runs a version without installing it', async () => {
    const script = readmeBlock('install-npx').replaceAll(
      'keyless-aws@1',
      `--package=${JSON.stringify(tarball)} keyless-aws`,
    );
    expect((await runScript(script, 'npx')).stdout).toMatch(endsWithVersion());
  });

  it('the checksum-verified tarball works without npm, and its VERSION is this package version', async () => {
    const block = readmeBlock('install-tarball');
    expect(block).toContain(`VERSION=${version}\n`);
    const script = block
      .replace(/^BASE=.*$/m, `BASE=${JSON.stringify(baseUrl)}`)
      .replaceAll('/opt/keyless-aws', '"$PWD/opt/keyless-aws"')
      .replaceAll('/usr/local/bin/', '"$PWD/bin/"');
    const { stdout, dir } = await runScript(script, 'tarball');
    expect(stdout).toBe(`keyless-aws-${version}.tgz: OK\nkeyless-aws ${version}\n`);
    expect(readdirSync(join(dir, 'opt', 'keyless-aws', 'dist'))).toContain('issuer');
  });

  it('a tampered download fails the checksum before anything is unpacked', async () => {
    const script = readmeBlock('install-tarball')
      .replace(/^BASE=.*$/m, `BASE=${JSON.stringify(baseUrl)}`)
      .replace('sha256sum -c', 'printf x >> "keyless-aws-$VERSION.tgz"; sha256sum -c')
      .replaceAll('/opt/keyless-aws', '"$PWD/opt/keyless-aws"')
      .replaceAll('/usr/local/bin/', '"$PWD/bin/"');
    await expect(runScript(script, 'tampered')).rejects.toThrow(/FAILED/);
  });

  it("the README's container image RUN line installs the CLI", async () => {
    const run = /^RUN (.*)$/m.exec(readmeBlock('install-dockerfile'));
    expect(run).not.toBeNull();
    const script = ((run as RegExpExecArray)[1] ?? '').replaceAll('keyless-aws@1', JSON.stringify(tarball));
    expect((await runScript(script, 'dockerfile')).stdout).toMatch(endsWithVersion());
  });

  it("examples/jenkins/agent.Dockerfile: stage 1 installs, stage 2's copies and link give a working keyless-aws", async () => {
    const dockerfile = readFileSync(join(ROOT, 'examples', 'jenkins', 'agent.Dockerfile'), 'utf8');
    const runs = [...dockerfile.matchAll(/^RUN (.*)$/gm)].map((m) => m[1] ?? '');
    const copies = [...dockerfile.matchAll(/^COPY --from=keyless (\S+) (\S+)$/gm)].map(
      (m) => [m[1] ?? '', m[2] ?? ''] as const,
    );
    expect(runs).toHaveLength(3);
    expect(copies).toHaveLength(2);
    // Stage 1 as written, with the version argument pointing at this checkout's tarball.
    const stage1 = (runs[0] ?? '').replace(/keyless-aws@\$\{KEYLESS_AWS_VERSION\}/, tarball);
    const { dir } = await runScript(stage1, 'agent-image');
    // Stage 2: the image's /usr/local is npm's prefix here; copy what the COPY lines name, then run the last RUN.
    // The node image's own binary is the node running this test.
    const inStage1 = (path: string) =>
      path === '/usr/local/bin/node' ? process.execPath : join(dir, 'prefix', path.replace(/^\/usr\/local\//, ''));
    const copy = copies
      .map(
        ([from, to]) =>
          `mkdir -p "$PWD/root${dirname(to)}" && cp -RL ${JSON.stringify(inStage1(from))} "$PWD/root${to}"`,
      )
      .join('\n');
    const last = (runs[2] ?? '')
      .replaceAll('/opt/', '"$PWD/root/opt/"')
      .replaceAll('/usr/local/bin/keyless-aws', '"$PWD/bin/keyless-aws"');
    const { stdout } = await runScript(`${copy}\n${last}`, 'agent-image');
    expect(stdout).toBe(`keyless-aws ${version}\n`);
  });
});
