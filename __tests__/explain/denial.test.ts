import { describeClaims, explainDenial, trustPolicyKeys } from '../../src/explain/denial';
import { decodeToken } from '../../src/token/token';
import { createTestIssuer, githubClaims } from '../support/jwt';

const ROLE = 'arn:aws:iam::111122223333:role/deploy';
const NOW = new Date('2030-01-01T00:00:00Z');
const nowS = NOW.getTime() / 1000;

async function token(claims: Record<string, unknown> = {}) {
  const issuer = await createTestIssuer();
  return decodeToken(
    await issuer.sign(githubClaims(claims), { issuedAt: nowS - 10, expiresIn: 310 }),
    'the GitHub ID-token endpoint',
  );
}

describe('explainDenial', () => {
  it('lists role, claims with relative times, the trust-policy keys and the causes for AccessDenied', async () => {
    const t = await token();
    const { details } = explainDenial(
      { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 },
      { roleArn: ROLE, token: t, durationSeconds: 7200, now: NOW },
    );
    const lines = details!.split('\n');
    expect(lines[0]).toBe(`Role: ${ROLE}`);
    expect(lines).toContain('Token claims (from the GitHub ID-token endpoint, decoded, not verified):');
    expect(lines).toContain('  iss: https://token.actions.githubusercontent.com');
    expect(lines).toContain('  aud: sts.amazonaws.com');
    expect(lines).toContain('  sub: repo:octo-org/octo-repo:environment:prod');
    expect(lines).toContain('  exp: 2030-01-01T00:05:00.000Z (in 300 s)');
    expect(lines).toContain('  iat: 2029-12-31T23:59:50.000Z (10 s ago)');
    expect(lines).toContain('  repository: octo-org/octo-repo');
    expect(lines).toContain('  ref: refs/heads/main');
    expect(lines).toContain('  environment: prod');
    expect(lines).toContain('  job_workflow_ref: octo-org/octo-repo/.github/workflows/deploy.yml@refs/heads/main');
    expect(lines).toContain('What the trust policy sees:');
    expect(lines).toContain('  token.actions.githubusercontent.com:aud = sts.amazonaws.com');
    expect(lines).toContain('  token.actions.githubusercontent.com:sub = repo:octo-org/octo-repo:environment:prod');
    expect(details).toMatch(
      /Likely causes:\n {2}- The trust policy's Principal must be \{"Federated": "arn:aws:iam::<account>:oidc-provider\/token\.actions\.githubusercontent\.com"\}/,
    );
    expect(details).toContain('role-duration-seconds (7200) may be above the role');
  });

  it('never includes the token or its signature', async () => {
    const t = await token();
    const { details, hint } = explainDenial(
      { code: 'AccessDenied', message: 'no' },
      { roleArn: ROLE, token: t, now: NOW },
    );
    const text = `${details}${hint ?? ''}`;
    expect(text).not.toContain(t.value);
    for (const part of t.value.split('.')) expect(text).not.toContain(part);
  });

  it('names azp, not aud, when a token with azp is refused for its audience (what STS checks)', async () => {
    const { details } = explainDenial({ code: 'InvalidIdentityToken', message: 'Incorrect token audience' } as never, {
      roleArn: ROLE,
      token: await token({ aud: 'api://aws', azp: '11111111-2222-3333-4444-555555555555' }),
      now: NOW,
    });
    expect(details).toContain('azp "11111111-2222-3333-4444-555555555555" (STS checks azp, not aud');
  });

  it.each([
    [
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
      /There is no IAM OIDC identity provider for https:\/\/token\.actions\.githubusercontent\.com/,
    ],
    [
      'Incorrect token audience',
      /audience is not among the client ids of the IAM OIDC provider for token\.actions\.githubusercontent\.com/,
    ],
    [
      "Couldn't retrieve verification key from your identity provider",
      /\.well-known\/openid-configuration and its jwks_uri must be reachable/,
    ],
  ])('InvalidIdentityToken "%s" gets its own cause', async (message, cause) => {
    const { details } = explainDenial(
      { code: 'InvalidIdentityToken', message },
      { roleArn: ROLE, token: await token(), now: NOW },
    );
    expect(details).toMatch(cause);
  });

  it('explains a duration above the role maximum', () => {
    const { details } = explainDenial(
      {
        code: 'ValidationError',
        message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      },
      { roleArn: ROLE, durationSeconds: 43200 },
    );
    expect(details).toContain("role-duration-seconds (43200) is above the role's maximum session duration");
  });

  it('shows aud as the policy engine keys it, and azp as its own key, joining audience arrays', async () => {
    expect(trustPolicyKeys(await token({ aud: ['a', 'b'] }))[0]).toBe(
      '  token.actions.githubusercontent.com:aud = a, b',
    );
    // Only Google's `aud` key holds azp (documented); elsewhere `:aud` is the aud claim and `:azp` a key of its own.
    expect(trustPolicyKeys(await token({ aud: 'x', azp: 'client-1' }))).toEqual([
      '  token.actions.githubusercontent.com:aud = x',
      '  token.actions.githubusercontent.com:sub = repo:octo-org/octo-repo:environment:prod',
      '  token.actions.githubusercontent.com:azp = client-1',
    ]);
  });

  it('keeps the issuer path in the condition-key prefix (Jenkins, GitHub Enterprise)', async () => {
    const issuer = await createTestIssuer('https://jenkins.example.com/oidc');
    const t = decodeToken(await issuer.sign({ sub: 'job/deploy', aud: 'sts.amazonaws.com' }), 'file t');
    expect(trustPolicyKeys(t)).toEqual([
      '  jenkins.example.com/oidc:aud = sts.amazonaws.com',
      '  jenkins.example.com/oidc:sub = job/deploy',
    ]);
  });

  it('shows only the claims that help, skipping absent ones', async () => {
    const issuer = await createTestIssuer();
    const t = decodeToken(await issuer.sign({ sub: 's', aud: 'a', secret_stuff: 'x' }), 'o');
    const names = describeClaims(t, NOW).map((l) => l.trim().split(':')[0]);
    expect(names).toEqual(['iss', 'aud', 'sub', 'exp', 'iat']);
  });
});

describe('claims only where the trust policy can be the cause', () => {
  it.each([
    ['ExpiredTokenException', 'Token expired: current date/time 1 must be before the expiration date/time 0'],
    ['InvalidIdentityToken', "Couldn't retrieve verification key from your identity provider"],
    ['ValidationError', '1 validation error detected'],
    ['Throttling', 'Rate exceeded'],
  ])('%s shows no claims and no trust-policy values', async (code, message) => {
    const { details } = explainDenial(
      { code, message, status: 400 },
      { roleArn: ROLE, token: await token(), now: NOW },
    );
    expect(details).not.toMatch(/Token claims|What the trust policy sees|sub: repo:|trust policy's Principal/);
  });

  it('an expired token shows its lifetime only', async () => {
    const { details } = explainDenial(
      { code: 'ExpiredTokenException', message: 'Token expired', status: 400 },
      { roleArn: ROLE, token: await token(), now: NOW },
    );
    expect(details).toContain('  exp: 2030-01-01T00:05:00.000Z (in 300 s)');
    expect(details).not.toContain('repository:');
  });

  it.each([
    ['AccessDenied', 'Not authorized'],
    ['InvalidIdentityToken', 'Incorrect token audience'],
    ['IDPRejectedClaim', 'rejected'],
  ])('%s shows them', async (code, message) => {
    const { details } = explainDenial(
      { code, message, status: 400 },
      { roleArn: ROLE, token: await token(), now: NOW },
    );
    expect(details).toMatch(/Token claims/);
    expect(details).toMatch(/What the trust policy sees/);
  });

  it('a claim holding a line break stays on its line', async () => {
    const { details } = explainDenial(
      { code: 'AccessDenied', message: 'Not authorized', status: 403 },
      { roleArn: ROLE, token: await token({ sub: 'repo:o/r\n::add-mask::x' }), now: NOW },
    );
    expect(details).toContain('  sub: repo:o/r\\n::add-mask::x');
    expect(details!.split('\n').some((line) => line.startsWith('::'))).toBe(false);
  });
});
