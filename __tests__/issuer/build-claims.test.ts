// Registration parsing in isolation: the sub format and the limits that are awkward to reach over HTTP.
import { encodeSubjectSegment, parseRegistration } from '../../src/issuer/build-claims';
import { HttpError } from '../../src/issuer/errors';

const policy = { allowedAudiences: ['sts.amazonaws.com', 'other'], maxLifetimeSeconds: 3600 };

function refused(body: unknown): string {
  try {
    parseRegistration(body, policy);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).status).toBe(400);
    return (error as HttpError).message;
  }
  throw new Error('expected a refusal');
}

test('sub is derived from job and build number, or taken as given', () => {
  expect(parseRegistration({ job: 'a/b', build_number: 3 }, policy)).toEqual({
    sub: 'job:a/b:build:3',
    claims: { job: 'a/b', build_number: 3 },
    audiences: ['sts.amazonaws.com', 'other'],
    lifetimeSeconds: 3600,
  });
  expect(parseRegistration({ sub: 'x', job: 'ignored-for-sub' }, policy).sub).toBe('x');
  expect(encodeSubjectSegment('a:b%c')).toBe('a%3Ab%25c');
});

test('controls are not claims; audiences are de-duplicated in order', () => {
  const parsed = parseRegistration(
    { sub: 's', lifetime: 600, audiences: ['other', 'other', 'sts.amazonaws.com'] },
    policy,
  );
  expect(parsed.claims).toEqual({});
  expect(parsed.audiences).toEqual(['other', 'sts.amazonaws.com']);
  expect(parsed.lifetimeSeconds).toBe(600);
});

test('limits', () => {
  expect(refused({ sub: 'x'.repeat(256) })).toMatch(/at most 255/);
  expect(refused({ job: 'j'.repeat(300), build_number: 1 })).toMatch(/derived sub is longer/);
  expect(refused({ sub: 's', text: 'x'.repeat(2049) })).toMatch(/longer than 2048/);
  expect(refused({ sub: 's', ...Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`c${i}`, i])) })).toMatch(
    /At most 50/,
  );
  expect(refused({ sub: 's', 'bad name': 1 })).toMatch(/Claim name "bad name" is invalid/);
  expect(refused({ sub: 's', n: Number.NaN })).toMatch(/finite/);
  expect(refused({ sub: 3 })).toMatch(/"sub" must be a non-empty string/);
  expect(refused({ job: 'j', build_number: 'latest' })).toMatch(/build_number/);
  expect(refused({ sub: 's', lifetime: 59 })).toMatch(/lifetime/);
  expect(refused({ sub: 's', audiences: [] })).toMatch(/non-empty array/);
});
