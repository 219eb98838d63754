/**
 * The doctor's verdict must be the emulator's STS verdict for the same token: a table of cases, each judged by the
 * doctor (in process, from the template) and by the real emulated STS (AssumeRoleWithWebIdentity over HTTP with a
 * signed token). Allowed/denied agree on every case, and a denial names the same reason.
 */
import { AssumeRoleWithWebIdentityCommand } from '@aws-sdk/client-sts';
import { runDoctor } from '../../src/doctor/run';
import { failure, type Harness, startHarness, stsClient } from '../emulator/support/emulator';
import { githubClaims, type OidcIssuer, startOidcIssuer } from '../emulator/support/oidc-issuer';
import { roleArn, type TemplateDir, templateDir, trust } from './support/templates';

let issuer: OidcIssuer;
let harness: Harness;
let dir: TemplateDir;
let template: string;
let host: string;

interface Case {
  name: string;
  role: string;
  claims?: Record<string, unknown>;
  duration?: number;
  /** The stage the doctor must name for a denial; absent when allowed. */
  stage?: string;
  /** What the emulator answers for a denial. */
  code?: string;
}

const CASES: Case[] = [
  { name: 'allowed: sub and aud match', role: 'Main' },
  {
    name: 'sub of another ref',
    role: 'Main',
    claims: { sub: 'repo:acme/app:ref:refs/heads/dev' },
    stage: 'trust-policy',
    code: 'AccessDenied',
  },
  {
    name: 'environment sub vs ref policy',
    role: 'Main',
    claims: { sub: 'repo:acme/app:environment:prod' },
    stage: 'trust-policy',
    code: 'AccessDenied',
  },
  { name: 'StringEquals with a *', role: 'EqualsStar', stage: 'trust-policy', code: 'AccessDenied' },
  { name: 'StringLike with a *', role: 'LikeStar' },
  {
    name: 'audience not a client id',
    role: 'Main',
    claims: { aud: 'other-audience' },
    stage: 'audience',
    code: 'InvalidIdentityTokenException',
  },
  {
    name: 'no provider for the issuer',
    role: 'Main',
    claims: { iss: 'https://issuer.example.com' },
    stage: 'provider',
    code: 'InvalidIdentityTokenException',
  },
  {
    name: 'duration above MaxSessionDuration',
    role: 'Main',
    duration: 7200,
    stage: 'duration',
    code: 'ValidationError',
  },
  { name: 'duration within a longer MaxSessionDuration', role: 'Long', duration: 7200 },
  {
    name: 'session tags without sts:TagSession',
    role: 'Main',
    claims: { 'https://aws.amazon.com/tags': { principal_tags: { team: ['web'] } } },
    stage: 'trust-policy',
    code: 'AccessDenied',
  },
  {
    name: 'session tags with sts:TagSession',
    role: 'Tags',
    claims: { 'https://aws.amazon.com/tags': { principal_tags: { team: ['web'] } } },
  },
  {
    name: 'explicit deny',
    role: 'DenyDev',
    claims: { sub: 'repo:acme/app:ref:refs/heads/dev' },
    stage: 'trust-policy',
    code: 'AccessDenied',
  },
  { name: 'policy variable resolved', role: 'Variable' },
  { name: 'wrong Federated principal', role: 'OtherPrincipal', stage: 'trust-policy', code: 'AccessDenied' },
];

beforeAll(async () => {
  issuer = await startOidcIssuer();
  host = issuer.url.replace(/^https?:\/\//, '');
  dir = templateDir();
  const arn = `arn:aws:iam::123456789012:oidc-provider/${host}`;
  const aud = { [`${host}:aud`]: 'sts.amazonaws.com' };
  const main = { StringEquals: { ...aud, [`${host}:sub`]: 'repo:acme/app:ref:refs/heads/main' } };
  template = dir.write(
    'roles.yml',
    {
      Main: { policy: trust(arn, main) },
      Long: { policy: trust(arn, main), maxSessionDuration: 7200 },
      EqualsStar: { policy: trust(arn, { StringEquals: { ...aud, [`${host}:sub`]: 'repo:acme/app:*' } }) },
      LikeStar: { policy: trust(arn, { StringEquals: aud, StringLike: { [`${host}:sub`]: 'repo:acme/app:*' } }) },
      Tags: { policy: trust(arn, main, { Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'] }) },
      DenyDev: {
        policy: {
          Version: '2012-10-17',
          Statement: [
            ...trust(arn, { StringEquals: aud }).Statement,
            {
              Effect: 'Deny',
              Principal: { Federated: arn },
              Action: 'sts:AssumeRoleWithWebIdentity',
              Condition: { StringLike: { [`${host}:sub`]: '*:ref:refs/heads/dev' } },
            },
          ],
        },
      },
      Variable: { policy: trust(arn, { StringEquals: { ...aud, [`${host}:sub`]: `\${${host}:sub}` } }) },
      OtherPrincipal: {
        policy: trust('arn:aws:iam::123456789012:oidc-provider/gitlab.com', {
          StringEquals: { 'gitlab.com:sub': 'x' },
        }),
      },
    },
    { url: issuer.url },
  );
  harness = await startHarness({ templates: [template] });
});

afterAll(async () => {
  await harness?.emulator.close();
  await issuer?.close();
  dir?.remove();
});

async function emulatorVerdict(c: Case, claims: Record<string, unknown>) {
  const sts = stsClient(harness.emulator.url);
  const command = new AssumeRoleWithWebIdentityCommand({
    RoleArn: roleArn(c.role),
    RoleSessionName: 'agreement',
    WebIdentityToken: await issuer.sign(claims),
    ...(c.duration ? { DurationSeconds: c.duration } : {}),
  });
  try {
    await sts.send(command);
    return { allowed: true as const };
  } catch {
    return { allowed: false as const, ...(await failure(sts.send(command))) };
  }
}

describe('doctor verdict = emulator STS verdict', () => {
  test.each(CASES)('$name', async (c) => {
    const claims = { ...githubClaims(issuer.url), ...(c.claims ?? {}) };
    const doctor = await runDoctor(
      {
        templates: [template],
        policies: [],
        roleArn: roleArn(c.role),
        clientIds: [],
        sessionName: 'agreement',
        ...(c.duration ? { durationSeconds: c.duration } : {}),
        cognitoIssuer: harness.emulator.cognitoIssuerUrl,
        now: Date.now(),
      },
      { claims, origin: 'test', unknownKeys: [] },
    );
    const verdict = doctor.verdicts[0];
    const emulator = await emulatorVerdict(c, claims);
    expect(verdict?.allowed).toBe(c.stage === undefined);
    expect(emulator.allowed).toBe(verdict?.allowed);
    if (emulator.allowed || !verdict || verdict.allowed) return;
    expect(verdict.stage).toBe(c.stage);
    expect(emulator.name).toBe(c.code);
    // The trust-policy reason is the engine's, word for word, in both.
    if (c.stage === 'trust-policy') expect(emulator.message).toContain(verdict.reason);
    // STS's own wording for the token checks (the doctor adds the account and the provider's client ids).
    if (c.stage === 'provider' || c.stage === 'audience') {
      expect(emulator.message.slice(0, 24)).toBe(verdict.reason.slice(0, 24));
    }
    expect(verdict.fix).toBeTruthy();
  });
});
