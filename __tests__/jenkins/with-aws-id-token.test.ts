// The withAwsIdToken library step (examples/jenkins/vars/withAwsIdToken.groovy) run under Debian's `groovy` with
// stand-ins for Jenkins (RunScenarios.groovy, stand-ins/): a Jenkinsfile chooses what runs inside the step, never the
// build's identity, the service URL or the admin credential. Every scenario runs in one JVM; registrations go over
// real HTTP to loopback servers (a recorder playing the token service, one playing an attacker's host, and the real
// token service in-process).
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { decodeJwt } from 'jose';
import { JENKINS_CLAIM_NAMES, RESERVED_CLAIM_NAMES } from '../../src/issuer/build-claims';
import type { RunningIssuer } from '../../src/issuer/issuer';
import { ADMIN_SECRET, removeTempDirs, requestIdToken, startTestIssuer, tempDir } from '../issuer/support';

const ROOT = join(__dirname, '../..');
const STEP = join(ROOT, 'examples/jenkins/vars/withAwsIdToken.groovy');
const SECRET = 'controller-admin-secret-0123456789abcdef';
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

interface Recorded {
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: Record<string, unknown>;
}

interface Recorder {
  readonly url: string;
  readonly requests: Recorded[];
  readonly server: Server;
}

/** Plays the token service: records each registration and answers request token rt-<n>. */
async function startRecorder(): Promise<Recorder> {
  const requests: Recorded[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
      if (text.length > 65_536) req.destroy();
    });
    req.on('end', () => {
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(text || '{}') });
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          request_token: `rt-${requests.length - 1}`,
          token_url: 'https://jenkins-oidc.example.com/token',
          expires_at: '2030-01-01T00:00:00.000Z',
        }),
      );
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

/** JAVA_HOME for Debian's groovy launcher, which otherwise insists on /usr/lib/jvm/default-java. */
function javaHome(): string | undefined {
  if (process.env.JAVA_HOME && existsSync(join(process.env.JAVA_HOME, 'bin/java'))) return process.env.JAVA_HOME;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const java = join(dir, 'java');
    if (existsSync(java)) return dirname(dirname(realpathSync(java)));
  }
  return undefined;
}

interface Shell {
  script: string;
  requestUrl?: string;
  requestToken?: string;
}

interface Result {
  name: string;
  error?: string;
  log: string[];
  shells: Shell[];
  masks: { var: string; password: string }[];
  httpRequests: string[];
  credentialBindings: string[];
}

function runScenarios(file: string): Promise<{ results: Result[]; reservedClaimNames: string[] }> {
  const env = { ...process.env, JAVA_HOME: javaHome() };
  return new Promise((done, fail) => {
    execFile(
      'groovy',
      ['-cp', join(__dirname, 'stand-ins'), join(__dirname, 'RunScenarios.groovy'), STEP, file],
      { env, timeout: 90_000, maxBuffer: 8 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) fail(new Error(`groovy failed (is Debian's groovy installed?): ${error.message}\n${stderr}`));
        else done(JSON.parse(stdout));
      },
    );
  });
}

let good: Recorder;
let evil: Recorder;
let service: RunningIssuer;
let reservedClaimNames: string[];
const results = new Map<string, Result>();
/** Scenarios whose step call should reach the recorder, in order. */
const registering: string[] = [];

const RUN = {
  job: 'team/app/main',
  number: 42,
  url: 'job/team/job/app/job/main/42/',
  branch: 'main',
  revision: COMMIT,
  userId: 'alice',
};
const IDENTITY = {
  job: 'team/app/main',
  build_number: 42,
  build_url: 'https://jenkins.example.com/job/team/job/app/job/main/42/',
  branch: 'main',
  commit: COMMIT,
  node: 'linux-1',
  triggered_by: 'alice',
};

function scenario(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    rootUrl: 'https://jenkins.example.com/',
    run: RUN,
    computer: 'linux-1',
    // What Jenkins puts in the environment; a Jenkinsfile may change any of it.
    env: {
      JOB_NAME: RUN.job,
      BUILD_NUMBER: String(RUN.number),
      BRANCH_NAME: 'main',
      GIT_COMMIT: COMMIT,
      NODE_NAME: 'linux-1',
      KEYLESS_ISSUER_SERVICE_URL: good.url,
    },
    globalProperties: { KEYLESS_ISSUER_SERVICE_URL: good.url },
    credentials: [
      { id: 'keyless-issuer-admin', scope: 'SYSTEM', secret: SECRET },
      { id: 'bindable', scope: 'GLOBAL', secret: 'a-global-secret-builds-can-bind' },
      { id: 'aws-id-token-file', scope: 'GLOBAL', secret: 'file' },
      { id: 'aws-id-token', scope: 'GLOBAL', secret: 'token' },
    ],
    config: { lifetime: 3600 },
    ...overrides,
  };
}

const HOSTILE_ENV = () => [
  'JOB_NAME=prod/deploy',
  'BUILD_NUMBER=1',
  'BUILD_URL=https://jenkins.example.com/job/prod/job/deploy/1/',
  'BRANCH_NAME=release',
  'GIT_COMMIT=ffffffffffffffffffffffffffffffffffffffff',
  'NODE_NAME=prod-deployer',
  'BUILD_USER_ID=admin',
  `KEYLESS_ISSUER_SERVICE_URL=${evil.url}`,
  'KEYLESS_ISSUER_CREDENTIALS_ID=bindable',
];

const EXAMPLES = ['examples/jenkins/Jenkinsfile', 'examples/Jenkinsfile', 'examples/jenkins-cognito.Jenkinsfile'];

beforeAll(async () => {
  good = await startRecorder();
  evil = await startRecorder();
  ({ issuer: service } = await startTestIssuer({ allowedClaims: ['environment'] }));

  const registered = (name: string, overrides: Record<string, unknown> = {}) => {
    registering.push(name);
    return scenario(name, overrides);
  };
  const scenarios = [
    registered('baseline'),
    registered('withEnv around the call', { outerEnv: HOSTILE_ENV() }),
    registered('extra claims', {
      config: {
        lifetime: 600,
        audiences: ['sts.amazonaws.com'],
        claims: { environment: 'prod', tier: 2, canary: true },
      },
    }),
    registered('outside a node block', { computer: null }),
    registered('on the built-in node', { computer: '' }),
    registered('a plain pipeline started by a timer', {
      rootUrl: null,
      run: { job: 'nightly', number: 7, url: 'job/nightly/7/' },
      config: {},
    }),
    registered('a pull request', {
      run: { ...RUN, branch: 'PR-12', revision: 'a'.repeat(40), pullHash: 'b'.repeat(40) },
    }),
    registered('a credential id set by the administrator', {
      globalProperties: { KEYLESS_ISSUER_SERVICE_URL: good.url, KEYLESS_ISSUER_CREDENTIALS_ID: 'team-admin' },
      credentials: [{ id: 'team-admin', scope: 'SYSTEM', secret: 'team-admin-secret-0123456789' }],
    }),
    scenario('claims overriding job', { config: { claims: { job: 'prod/deploy' } } }),
    scenario('claims overriding build_number', { config: { claims: { BUILD_NUMBER: 1 } } }),
    scenario('claims setting sub', { config: { claims: { sub: 'job:prod/deploy:build:1' } } }),
    scenario('claims setting aud', { config: { claims: { aud: 'sts.amazonaws.com' } } }),
    scenario('claims setting lifetime', { config: { claims: { lifetime: 999999 } } }),
    scenario('claims that are not a map', { config: { claims: 'job=prod/deploy' } }),
    scenario('serviceUrl parameter', { config: { serviceUrl: evil.url } }),
    scenario('credentialsId parameter', { config: { credentialsId: 'bindable' } }),
    scenario('commit parameter', { config: { commit: 'f'.repeat(40) } }),
    scenario('a mistyped parameter', { config: { lifetme: 3600 } }),
    scenario('no service URL configured', { globalProperties: null }),
    scenario('a plain-http service URL', {
      globalProperties: { KEYLESS_ISSUER_SERVICE_URL: 'http://oidc.example.com' },
    }),
    scenario('no admin credential', { credentials: [] }),
    scenario('an admin credential of Global scope', {
      credentials: [{ id: 'keyless-issuer-admin', scope: 'GLOBAL', secret: SECRET }],
    }),
    scenario('an admin secret with whitespace inside', {
      credentials: [{ id: 'keyless-issuer-admin', scope: 'SYSTEM', secret: `${SECRET}\n${SECRET}` }],
    }),
    scenario('the real service', {
      globalProperties: { KEYLESS_ISSUER_SERVICE_URL: service.url },
      // A pasted secret with a trailing newline: trimmed, as the service trims its --admin-secret-file.
      credentials: [{ id: 'keyless-issuer-admin', scope: 'SYSTEM', secret: `  ${ADMIN_SECRET}\n` }],
      config: { lifetime: 3600, claims: { environment: 'prod' } },
      outerEnv: HOSTILE_ENV(),
    }),
    scenario('the real service refusing a claim it does not allow', {
      globalProperties: { KEYLESS_ISSUER_SERVICE_URL: service.url },
      credentials: [{ id: 'keyless-issuer-admin', scope: 'SYSTEM', secret: ADMIN_SECRET }],
      config: { claims: { team: 'payments' } },
    }),
    ...EXAMPLES.map((file) => scenario(file, { jenkinsfile: join(ROOT, file) })),
    scenario('a Jenkinsfile calling the library internals', {
      jenkinsfile: join(__dirname, 'fixtures/library-internals.Jenkinsfile'),
    }),
    registered('a Jenkinsfile posing as another job', {
      jenkinsfile: join(__dirname, 'fixtures/impostor.Jenkinsfile'),
      env: { ...(scenario('').env as object), IMPOSTOR_URL: evil.url },
    }),
  ];
  const file = join(await tempDir('jenkins-scenarios-'), 'scenarios.json');
  await writeFile(file, JSON.stringify(scenarios));
  const output = await runScenarios(file);
  for (const result of output.results) results.set(result.name, result);
  reservedClaimNames = output.reservedClaimNames;
}, 120_000);

afterAll(async () => {
  good?.server.close();
  evil?.server.close();
  await service?.close();
  await removeTempDirs();
});

function result(name: string): Result {
  const found = results.get(name);
  if (!found) throw new Error(`no result for ${name}`);
  return found;
}

/** What the recorder received from a scenario's step call (identified by the request token the body saw). */
function sent(name: string): Recorded {
  const r = result(name);
  expect(r.error).toBeUndefined();
  const token = r.shells[0]?.requestToken ?? '';
  const request = good.requests[Number(token.replace('rt-', ''))];
  if (!token.startsWith('rt-') || !request) throw new Error(`${name} registered nothing: ${JSON.stringify(r)}`);
  return request;
}

describe('identity comes from Jenkins itself', () => {
  test('the registration carries the build as Jenkins records it, authenticated with the System credential', () => {
    const request = sent('baseline');
    expect(request).toEqual({
      path: '/request-tokens',
      authorization: `Bearer ${SECRET}`,
      body: { ...IDENTITY, lifetime: 3600 },
    });
    const r = result('baseline');
    expect(r.shells).toEqual([
      { script: './body.sh', requestUrl: 'https://jenkins-oidc.example.com/token', requestToken: expect.any(String) },
    ]);
    expect(r.masks).toEqual([{ var: 'JENKINS_ID_TOKEN_REQUEST_TOKEN', password: r.shells[0]!.requestToken }]);
    expect(r.credentialBindings).toEqual([]); // the admin secret is never bound into the build's environment
    expect(r.httpRequests).toEqual([]);
  });

  test('withEnv around the call changes nothing that is sent, nor where', () => {
    expect(sent('withEnv around the call')).toEqual(sent('baseline'));
    expect(evil.requests).toEqual([]);
  });

  test('claims: only adds names', () => {
    expect(sent('extra claims').body).toEqual({
      ...IDENTITY,
      lifetime: 600,
      audiences: ['sts.amazonaws.com'],
      environment: 'prod',
      tier: 2,
      canary: true,
    });
  });

  test('node is the node Jenkins assigned; branch and commit come from the multibranch head and revision', () => {
    const { node: _node, ...withoutNode } = IDENTITY;
    expect(sent('outside a node block').body).toEqual({ ...withoutNode, lifetime: 3600 });
    expect(sent('on the built-in node').body).toEqual({ ...IDENTITY, node: 'built-in', lifetime: 3600 });
    expect(sent('a plain pipeline started by a timer').body).toEqual({
      job: 'nightly',
      build_number: 7,
      node: 'linux-1',
    });
    expect(sent('a pull request').body).toMatchObject({ branch: 'PR-12', commit: 'b'.repeat(40) });
    expect(sent('a credential id set by the administrator').authorization).toBe('Bearer team-admin-secret-0123456789');
  });

  test('a Jenkinsfile that sets env, currentBuild and environment{} still registers as itself', () => {
    const request = sent('a Jenkinsfile posing as another job');
    expect(request).toEqual({ ...sent('baseline'), body: { ...IDENTITY, lifetime: 3600 } });
  });

  test('every step call that should register did, and nothing else reached a server', () => {
    // + the examples' withAwsIdToken calls, + the library-internals fixture's audience list and GString claim
    expect(good.requests).toHaveLength(registering.length + 6 + 2);
    expect(evil.requests).toEqual([]);
  });
});

describe("a Jenkinsfile reaching past the step's parameters", () => {
  const NAME = 'a Jenkinsfile calling the library internals';
  const lines = () => result(NAME).log.filter((line) => !line.startsWith('withAwsIdToken: ID tokens'));

  test("the library's methods neither reveal the admin secret nor send a body of the Jenkinsfile's", () => {
    expect(result(NAME).error).toBeUndefined();
    expect(lines()).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^read the admin secret: refused/),
        expect.stringMatching(/^register a chosen body: refused/),
      ]),
    );
    expect(result(NAME).log.join('\n')).not.toContain(SECRET);
  });

  test('no value of a class the Jenkinsfile defines writes JSON into the registration', () => {
    for (const request of [...good.requests, ...evil.requests]) expect(request.body.job).not.toBe('prod/deploy');
    expect(lines()).toEqual(
      expect.arrayContaining([
        'a claim value that writes JSON: refused (AbortException)',
        'a lifetime that writes JSON: refused (AbortException)',
      ]),
    );
    const scripts = result(NAME).shells.map((shell) => shell.script);
    expect(scripts).not.toContain('./sneaky-number.sh');
    expect(scripts).not.toContain('./sneaky-lifetime.sh');
  });

  test('a GString claim value is a string; an audience is text whatever object gave it', () => {
    const body = (script: string) => {
      const shell = result(NAME).shells.find((s) => s.script === script);
      return good.requests[Number(shell?.requestToken?.replace('rt-', ''))]?.body;
    };
    expect(body('./gstring.sh')).toEqual({ ...IDENTITY, environment: 'prod' });
    expect(body('./sneaky-audience.sh')).toEqual({
      ...IDENTITY,
      audiences: ['1,"job":"prod/deploy","build_number":1'],
    });
  });
});

describe('a Jenkinsfile that tries to choose is stopped before anything is sent', () => {
  test.each([
    ['claims overriding job', /claims may only add names; 'job' is reserved/],
    ['claims overriding build_number', /'BUILD_NUMBER' is reserved/],
    ['claims setting sub', /'sub' is reserved/],
    ['claims setting aud', /'aud' is reserved/],
    ['claims setting lifetime', /'lifetime' is reserved/],
    ['claims that are not a map', /claims must be a map/],
    ['serviceUrl parameter', /'serviceUrl' is not a parameter any more: .*KEYLESS_ISSUER_SERVICE_URL/],
    ['credentialsId parameter', /'credentialsId' is not a parameter any more: .*System-scope credential/],
    ['commit parameter', /'commit' is not a parameter any more: .*SCM revision/],
    ['a mistyped parameter', /unknown parameter 'lifetme'; the parameters are lifetime, audiences and claims/],
  ])('%s', (name, message) => {
    const r = result(name);
    expect(r.error).toMatch(message);
    expect(r.shells).toEqual([]);
  });
});

describe("the administrator's configuration", () => {
  test.each([
    [
      'no service URL configured',
      /has not set where the token service lives: add the global property KEYLESS_ISSUER_SERVICE_URL/,
    ],
    ['a plain-http service URL', /KEYLESS_ISSUER_SERVICE_URL \(http:\/\/oidc.example.com\) must be an https URL/],
    ['no admin credential', /'keyless-issuer-admin' .* does not exist: .*scope System/],
    ['an admin credential of Global scope', /has scope GLOBAL; builds could bind it .* Change its scope to System/],
    ['an admin secret with whitespace inside', /is not one word/],
  ])('%s is one clear error', (name, message) => {
    const r = result(name);
    expect(r.error).toMatch(message);
    expect(r.shells).toEqual([]);
  });

  test('no secret appears in anything the step printed, raised or passed to a step', () => {
    for (const r of results.values()) {
      const { masks: _masks, ...visible } = r;
      expect(JSON.stringify(visible)).not.toContain(SECRET);
      expect(JSON.stringify(visible)).not.toContain(ADMIN_SECRET);
      for (const shell of r.shells) if (shell.requestToken) expect(r.log.join('\n')).not.toContain(shell.requestToken);
    }
  });
});

describe('with the real token service', () => {
  test("the minted ID token has the build's identity, whatever withEnv said", async () => {
    const r = result('the real service');
    expect(r.error).toBeUndefined();
    const [shell] = r.shells;
    const response = await requestIdToken(shell!.requestUrl!, shell!.requestToken!);
    expect(response.status).toBe(200);
    const claims = decodeJwt(((await response.json()) as { value: string }).value);
    expect(claims).toMatchObject({ ...IDENTITY, sub: 'job:team/app/main:build:42', environment: 'prod' });
  });

  test("a claim the operator did not allow is refused with the service's reason", () => {
    expect(result('the real service refusing a claim it does not allow').error).toMatch(
      /registering the build at http:\/\/127\.0\.0\.1:\d+\/request-tokens failed: HTTP 400 invalid_request: Claim "team" is not allowed/,
    );
  });

  test("the step's reserved names are the service's reserved names, its Jenkins claims, sub and the controls", () => {
    expect(new Set(reservedClaimNames)).toEqual(
      new Set([...RESERVED_CLAIM_NAMES, ...JENKINS_CLAIM_NAMES, 'sub', 'lifetime', 'audiences']),
    );
  });
});

describe('the example Jenkinsfiles', () => {
  test.each(EXAMPLES)('%s calls the step only with valid parameters; the CLI runs inside it', (file) => {
    const r = result(file);
    expect(r.error).toBeUndefined();
    const jenkinsShells = r.shells.filter((shell) => shell.script.includes('--token-source jenkins'));
    expect(jenkinsShells.length).toBeGreaterThan(0);
    for (const shell of jenkinsShells) expect(shell.requestToken).toMatch(/^rt-\d+$/);
    expect(r.credentialBindings).not.toContain('keyless-issuer-admin');
  });
});
