/**
 * Several roles in one run (the `profiles` input) against the loopback token endpoint and the STS fake: one token
 * fetch per audience, the STS calls in flight together, chained roles signed with their web-identity session, and
 * a failure of any role failing the whole exchange with that role's name.
 */
import { obtainSessions } from '../../src/exchange/obtain';
import type { Logger } from '../../src/log';
import { parseSettings } from '../../src/settings/parse';
import type { Settings } from '../../src/settings/types';
import { actionSource } from '../support/settings';
import { type StsFake, startStsFake, stsError } from '../support/sts-fake';
import { startTokenEndpoint, type TokenEndpoint } from '../support/token-endpoint';

const ROLE = 'arn:aws:iam::111111111111:role/deploy';
const STAGING = 'arn:aws:iam::333333333333:role/deploy';
const PROD = 'arn:aws:iam::222222222222:role/deploy';
const AUDIT = 'arn:aws:iam::222222222222:role/audit';

let sts: StsFake;
let endpoint: TokenEndpoint;
const log: Logger = { info: () => {}, warn: () => {}, debug: () => {}, error: () => {} };

beforeAll(async () => {
  sts = await startStsFake();
  endpoint = await startTokenEndpoint();
});
afterAll(async () => {
  await sts.close();
  await endpoint.close();
});
beforeEach(() => {
  sts.reset();
  endpoint.reset();
});

const settings = (inputs: Record<string, string>): Settings =>
  parseSettings(
    actionSource(
      { 'aws-region': 'us-east-1', 'role-to-assume': ROLE, 'retry-max-attempts': '3', ...inputs },
      { ...endpoint.env(), AWS_ENDPOINT_URL_STS: sts.url, GITHUB_REPOSITORY: 'acme/app' },
    ),
  );

test('asks the CI once per audience and has every STS call in flight at once', async () => {
  sts.gather(3);
  const { primary, profiles } = await obtainSessions(
    settings({ profiles: `staging=${STAGING}\nprod=${PROD} audience=prod.example` }),
    log,
  );
  expect(endpoint.requests.map((r) => r.audience).sort()).toEqual(['prod.example', 'sts.amazonaws.com']);
  expect(sts.maxInFlight()).toBe(3);
  expect(primary.arn).toBe('arn:aws:sts::111111111111:assumed-role/deploy/GitHubActions');
  expect(profiles.map((p) => [p.profile.name, p.session.arn, p.session.accountId])).toEqual([
    ['staging', 'arn:aws:sts::333333333333:assumed-role/deploy/GitHubActions', '333333333333'],
    ['prod', 'arn:aws:sts::222222222222:assumed-role/deploy/GitHubActions', '222222222222'],
  ]);
  // Each role got the token of its own audience; the two sts.amazonaws.com roles shared one.
  const tokenOf = (arn: string) => sts.requests.find((r) => r.params.RoleArn === arn)?.params.WebIdentityToken;
  expect(tokenOf(ROLE)).toBe(tokenOf(STAGING));
  expect(tokenOf(PROD)).not.toBe(tokenOf(ROLE));
  expect(new Set(sts.requests.map((r) => r.params.DurationSeconds))).toEqual(new Set(['3600']));
});

test('chain= assumes the further role signed with that profile’s own web-identity session', async () => {
  const { profiles } = await obtainSessions(
    settings({ profiles: `prod=${PROD} session-name=release chain=${AUDIT}` }),
    log,
  );
  const web = sts.issued.find((c) => c.arn === 'arn:aws:sts::222222222222:assumed-role/deploy/release');
  const chained = sts.requests.find((r) => r.action === 'AssumeRole');
  expect(chained?.params.RoleArn).toBe(AUDIT);
  expect(chained?.params.RoleSessionName).toBe('release');
  expect(chained?.accessKeyId).toBe(web?.accessKeyId);
  expect(chained?.securityToken).toBe(web?.sessionToken);
  expect(profiles[0]?.session.arn).toBe('arn:aws:sts::222222222222:assumed-role/audit/release');
  expect(profiles[0]?.session.credentials.accessKeyId).toBe(sts.issued.at(-1)?.accessKeyId);
});

test.each([
  [
    'a further role is denied',
    PROD,
    /^Profile "prod" \(arn:aws:iam::222222222222:role\/deploy, chained to .*\) failed, so nothing was written: sts:AssumeRoleWithWebIdentity/,
  ],
  [
    'the chained role is denied',
    AUDIT,
    /^Profile "prod" \(.*, chained to arn:aws:iam::222222222222:role\/audit\) failed/,
  ],
  [
    'role-to-assume is denied',
    ROLE,
    /^role-to-assume arn:aws:iam::111111111111:role\/deploy failed, so nothing was written: /i,
  ],
])('%s: the exchange fails naming it', async (_what, denied, message) => {
  sts.forRole(denied, stsError.accessDenied());
  const error = await obtainSessions(
    settings({ profiles: `staging=${STAGING}\nprod=${PROD} duration=3600 chain=${AUDIT}` }),
    log,
  ).then(
    () => undefined,
    (e: Error & { code?: string; kind?: string }) => e,
  );
  expect(error?.message).toMatch(message);
  expect(error?.code).toBe('AccessDenied');
  expect(error?.kind).toBe('denied');
});

test('a retry after a transient failure asks for a fresh token; the first attempt shares it', async () => {
  sts.forRole(PROD, stsError.throttling());
  const run = obtainSessions(settings({ profiles: `prod=${PROD}` }), log);
  // Throttled on every attempt: the error is the last one, after three attempts, three tokens for prod's role.
  await expect(run).rejects.toMatchObject({ code: 'Throttling' });
  const prodTokens = sts.requests.filter((r) => r.params.RoleArn === PROD).map((r) => r.jti);
  expect(prodTokens.length).toBe(3);
  expect(new Set(prodTokens).size).toBe(3);
  expect(endpoint.requests.length).toBe(3);
});

test('allowed-account-ids applies to every profile', async () => {
  const run = obtainSessions(settings({ profiles: `prod=${PROD}`, 'allowed-account-ids': '111111111111' }), log);
  await expect(run).rejects.toMatchObject({
    code: 'AccountNotAllowed',
    message: expect.stringMatching(/^Profile "prod"/),
  });
});
