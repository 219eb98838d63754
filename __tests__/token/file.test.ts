import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TokenError } from '../../src/errors';
import { redact } from '../../src/secrets';
import { fileTokenSource } from '../../src/token/file';
import { createTestIssuer } from '../support/jwt';

describe('fileTokenSource', () => {
  let dir: string;
  let jwt: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'token-file-'));
    jwt = await (await createTestIssuer('https://jenkins.example/oidc')).sign({
      sub: 'job/x',
      aud: 'sts.amazonaws.com',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trims the trailing newline, decodes the claims and registers the secret', async () => {
    const path = join(dir, 'id.jwt');
    writeFileSync(path, `${jwt}\n`);
    const token = await fileTokenSource(path, false)();
    expect(token.value).toBe(jwt);
    expect(token.claims.sub).toBe('job/x');
    expect(token.origin).toBe(`file ${path}`);
    expect(redact(`x ${jwt} y`)).toBe('x *** y');
  });

  it('re-reads the file on every call (rotation)', async () => {
    const path = join(dir, 'rotating.jwt');
    writeFileSync(path, jwt);
    const tokens = fileTokenSource(path, false);
    await tokens();
    const next = await (await createTestIssuer('https://jenkins.example/oidc')).sign({ sub: 'job/y' });
    writeFileSync(path, next);
    expect((await tokens()).claims.sub).toBe('job/y');
  });

  it('refuses a symlink unless allowed (the Kubernetes path rule)', async () => {
    const target = join(dir, 'real.jwt');
    const link = join(dir, 'link.jwt');
    writeFileSync(target, jwt);
    symlinkSync(target, link);
    const error = await fileTokenSource(link, false)().catch((e) => e);
    expect(error.code).toBe('TokenFileSymlink');
    expect(error.message).toBe(`The token file ${link} is a symbolic link; refusing to follow it.`);
  });

  it("follows kubelet's projected-volume chain (token -> ..data/token, ..data -> ..<timestamp>) where allowed", async () => {
    const volume = mkdtempSync(join(dir, 'serviceaccount-'));
    mkdirSync(join(volume, '..2026_12_01_03_00_00.123456789'));
    writeFileSync(join(volume, '..2026_12_01_03_00_00.123456789', 'token'), jwt);
    symlinkSync('..2026_12_01_03_00_00.123456789', join(volume, '..data'));
    symlinkSync('..data/token', join(volume, 'token'));
    expect((await fileTokenSource(join(volume, 'token'), true)()).value).toBe(jwt);
    expect((await fileTokenSource(join(volume, 'token'), false)().catch((e) => e)).code).toBe('TokenFileSymlink');
  });

  it('even where allowed, refuses a link that leaves the projected-volume layout, naming where it points', async () => {
    const volume = mkdtempSync(join(dir, 'serviceaccount-'));
    const elsewhere = join(dir, 'not-a-token');
    writeFileSync(elsewhere, jwt);
    symlinkSync(elsewhere, join(volume, 'token'));
    const error = await fileTokenSource(join(volume, 'token'), true)().catch((e) => e);
    expect(error).toBeInstanceOf(TokenError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toContain(`The token file ${join(volume, 'token')} is a symbolic link to ${elsewhere}`);
  });

  it('refuses a path through a symlinked directory with exit 3, naming the path and the link', async () => {
    mkdirSync(join(dir, 'real-dir'));
    writeFileSync(join(dir, 'real-dir', 'id.jwt'), jwt);
    symlinkSync(join(dir, 'real-dir'), join(dir, 'linked-dir'));
    const path = join(dir, 'linked-dir', 'id.jwt');
    for (const allowSymlink of [false, true]) {
      const error = await fileTokenSource(path, allowSymlink)().catch((e) => e);
      expect(error).toBeInstanceOf(TokenError);
      expect(error.exitCode).toBe(3);
      expect(error.message).toBe(
        `The token file ${path} is reached through ${join(dir, 'linked-dir')}, a symbolic link; refusing to follow it.`,
      );
    }
  });

  it('refuses a directory with exit 3, naming the path', async () => {
    const error = await fileTokenSource(dir, false)().catch((e) => e);
    expect(error.code).toBe('TokenFileNotRegular');
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe(`The token file ${dir} is a directory, not a file.`);
  });

  it('refuses a FIFO at once instead of waiting for a writer that never comes', async () => {
    const fifo = join(dir, 'token.fifo');
    execFileSync('mkfifo', [fifo]);
    const started = Date.now();
    const error = await fileTokenSource(fifo, false)().catch((e) => e);
    expect(error.code).toBe('TokenFileNotRegular');
    expect(error.message).toBe(`The token file ${fifo} is a named pipe (FIFO), not a file.`);
    expect(Date.now() - started).toBeLessThan(1000);
  }, 3000);

  it('a missing file says which and how paths are resolved', async () => {
    const error = await fileTokenSource(join(dir, 'missing'), false)().catch((e) => e);
    expect(error.code).toBe('TokenFileUnreadable');
    expect(error.message).toMatch(/Cannot read the token file .*missing: ENOENT\./);
    expect(error.hint).toMatch(/GITHUB_WORKSPACE/);
  });

  it('an empty file is a token error', async () => {
    const path = join(dir, 'empty');
    writeFileSync(path, '\n');
    expect((await fileTokenSource(path, false)().catch((e) => e)).code).toBe('TokenFileEmpty');
  });
});
