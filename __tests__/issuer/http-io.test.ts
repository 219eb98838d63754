// Request bodies as the token service reads them: JSON.parse keeps the last of two members with one name, so a
// registration whose text repeats a name (a controller library writing a value's text unescaped into the body) would
// silently take another job's identity. Such a body is refused, whatever the name and however it is spelled.
import { repeatedMemberName } from '../../src/issuer/http-io';
import type { RunningIssuer } from '../../src/issuer/issuer';
import { register, registerOk, removeTempDirs, startTestIssuer } from './support';

let issuer: RunningIssuer;
beforeAll(async () => {
  ({ issuer } = await startTestIssuer({ allowedClaims: ['environment'] }));
});
afterAll(async () => {
  await issuer?.close();
  await removeTempDirs();
});

test('a registration naming job twice is refused with 400, not registered as the last one', async () => {
  const rawBody = '{"job":"team/app","build_number":42,"environment":1,"job":"prod/deploy","build_number":1}';
  const response = await register(issuer, undefined, { rawBody });
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({
    error: 'invalid_request',
    message: 'The member "job" appears twice in one object; send each name once.',
  });
});

test('a repeat spelled with escapes is the same name', async () => {
  const response = await register(issuer, undefined, { rawBody: '{"job":"a","build_number":1,"jo\\u0062":"b"}' });
  expect(response.status).toBe(400);
});

test('the same name in different objects, and names inside strings, are not repeats', async () => {
  await registerOk(issuer, { job: 'team/app', build_number: 42, environment: 'job:"job":' });
  expect(repeatedMemberName('{"a":{"a":1},"b":[{"a":2},{"a":3}],"c":"\\"a\\":"}')).toBeUndefined();
  expect(repeatedMemberName('{"a":[{"b":1,"b":2}]}')).toBe('b');
  expect(repeatedMemberName('{"a":{"b":1},"a" : 2}')).toBe('a');
});
