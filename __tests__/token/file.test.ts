import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    expect((await fileTokenSource(link, true)()).value).toBe(jwt);
  });

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
