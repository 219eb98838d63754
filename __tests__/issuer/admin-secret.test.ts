// The admin secret with surrounding whitespace: one rule wherever the service reads it (the --admin-secret-file,
// the adminSecret option): trailing newline/CRLF/spaces are removed; whitespace or non-ASCII inside is refused,
// naming the source and never showing the value. Over HTTP the controller's side is trimmed by HTTP itself, so a
// newline on one side only still authenticates.
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { resolveIssuerOptions } from '../../src/issuer/config';
import { ConfigError } from '../../src/issuer/errors';
import { register, removeTempDirs, startTestIssuer, type TestIssuer, tempDir } from './support';

const SECRET = 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5';
const running: TestIssuer[] = [];
afterAll(async () => {
  await Promise.all(running.map((r) => r.issuer.close()));
  await removeTempDirs();
});

async function secretFile(content: string): Promise<string> {
  const file = join(await tempDir(), 'admin.secret');
  await writeFile(file, content, { mode: 0o600 });
  return file;
}

function refusal(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('not refused');
}

test.each([
  ['a trailing newline', `${SECRET}\n`],
  ['a CRLF', `${SECRET}\r\n`],
  ['spaces and a tab', `  ${SECRET} \t`],
  ['a byte-order mark', `\uFEFF${SECRET}\n`],
])('%s around the secret is removed, from the file and from the option alike', async (_label, content) => {
  const keysDir = join(await tempDir(), 'k');
  const fromFile = resolveIssuerOptions({ keysDir, adminSecretFile: await secretFile(content) });
  const fromOption = resolveIssuerOptions({ keysDir, adminSecret: content });
  expect(fromFile.adminSecret).toBe(SECRET);
  expect(fromOption.adminSecret).toBe(SECRET);
});

test.each([
  ['a space inside', 'first-half second-half-of-the-secret'],
  ['a line break inside', 'first-half\nsecond-half-of-the-secret'],
  ['a non-ASCII character', 'geheimnis-für-den-controller-0123456789'],
])('a secret with %s can never arrive in a Bearer header, so it is refused by source', async (_label, content) => {
  const keysDir = join(await tempDir(), 'k');
  const file = await secretFile(`${content}\n`);
  const fromFile = refusal(() => resolveIssuerOptions({ keysDir, adminSecretFile: file }));
  expect(fromFile.flag).toBe('admin-secret-file');
  expect(fromFile.message).toContain(file);
  expect(fromFile.message).toMatch(/whitespace or a non-ASCII character inside the secret/);
  const fromOption = refusal(() => resolveIssuerOptions({ keysDir, adminSecret: content }));
  expect(fromOption.message).toMatch(/^The adminSecret option holds whitespace/);
  for (const error of [fromFile, fromOption]) {
    for (const part of content.split(/\s+/)) expect(error.message).not.toContain(part);
  }
});

/** POST /request-tokens with a hand-written Authorization header value, bytes as given. */
function rawRegister(url: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/request-tokens`, { method: 'POST', headers: { 'content-type': 'application/json' } });
    req.setHeader('authorization', authorization);
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(JSON.stringify({ job: 'app', build_number: 1 }));
  });
}

test('a newline on one side only still authenticates; a wrong secret fails without echoing anything', async () => {
  // The service's file ends in a newline, the controller's credential does not.
  const withNewline = await startTestIssuer({
    adminSecret: undefined,
    adminSecretFile: await secretFile(`${SECRET}\n`),
  });
  running.push(withNewline);
  expect((await register(withNewline.issuer, { job: 'app', build_number: 1 }, { secret: SECRET })).status).toBe(201);

  // The file has no newline; the controller sends trailing blanks, which HTTP strips from the header value.
  const without = await startTestIssuer({ adminSecret: undefined, adminSecretFile: await secretFile(SECRET) });
  running.push(without);
  expect(await rawRegister(without.issuer.url, `Bearer ${SECRET} \t`)).toBe(201);

  const wrong = await register(without.issuer, { job: 'app', build_number: 1 }, { secret: `${SECRET}x` });
  expect(wrong.status).toBe(401);
  const text = await wrong.text();
  expect(text).toMatch(/surrounding whitespace and line ends are ignored on both sides/);
  expect(text).not.toContain(SECRET);
  expect(without.logs.join('\n')).not.toContain(SECRET);
});
