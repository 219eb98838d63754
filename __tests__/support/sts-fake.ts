/**
 * A loopback STS speaking the Query protocol: `POST /` with a form body (`Action=…&Version=2011-06-15&…`), answered
 * with the XML documents real STS sends (element order as in docs/protocols §1.4) or its XML error body.
 *
 *   const sts = await startStsFake({ accountId: '111122223333' });
 *   env.AWS_ENDPOINT_URL_STS = sts.url;
 *   sts.next(stsError.accessDenied());            // the next request is denied (403, Sender)
 *   sts.throttle(2); sts.serverError(1, 503);     // queue transient failures
 *   sts.hang();                                   // accept and never answer, from now on
 *   sts.next({ kind: 'allow', secretAccessKey: 'a+b/c' }); // custom secret for one answer
 *   sts.setDefault(stsError.validationError('…')) // what every request gets once the queue is empty
 *   sts.requests   // action, decoded params, signed?, access key id of the SigV4 Credential=, jti of the ID token
 *   sts.issued     // every credential handed out
 *   sts.secrets()  // every key id, secret, session token and WebIdentityToken seen, for the leak check
 *   await sts.close();
 *
 * Signatures are not verified (a separate emulator does SigV4); the fake only checks that AssumeRole and
 * GetCallerIdentity carry an Authorization header (else MissingAuthenticationToken 403, as STS answers).
 * GetCallerIdentity answers for the caller: the assumed-role ARN when signed with credentials this fake issued,
 * `arn:aws:iam::<account>:user/<callerUser>` otherwise.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeClaims } from './jwt';

export type StsAction = 'AssumeRoleWithWebIdentity' | 'AssumeRole' | 'GetCallerIdentity' | string;

export type StsBehaviour =
  | {
      readonly kind: 'allow';
      /** Secret access key for this answer (special-characters tests); random alphanumeric otherwise. */
      readonly secretAccessKey?: string;
      /** Seconds until Expiration; default the request's DurationSeconds (or 3600). */
      readonly expiresIn?: number;
    }
  | {
      readonly kind: 'error';
      readonly code: string;
      readonly message: string;
      readonly status: number;
    }
  /** Accept the request and never answer. */
  | { readonly kind: 'hang' }
  | { readonly kind: 'raw'; readonly status: number; readonly body: string; readonly contentType?: string };

const error = (code: string, status: number, message: string): StsBehaviour => ({
  kind: 'error',
  code,
  status,
  message,
});

/** The errors STS actually sends, with their HTTP status and a realistic message (override the message if needed). */
export const stsError = {
  accessDenied: (m = 'Not authorized to perform sts:AssumeRoleWithWebIdentity') => error('AccessDenied', 403, m),
  invalidIdentityToken: (m = 'Incorrect token audience') => error('InvalidIdentityToken', 400, m),
  noOidcProvider: (iss = 'https://token.actions.githubusercontent.com') =>
    error('InvalidIdentityToken', 400, `No OpenIDConnect provider found in your account for ${iss}`),
  verificationKey: () =>
    error(
      'InvalidIdentityToken',
      400,
      "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
    ),
  expiredToken: () =>
    error(
      'ExpiredTokenException',
      400,
      'Token expired: current date/time 1731098245 must be before the expiration date/time 1731095240',
    ),
  validationError: (m = "1 validation error detected: Value 'a:b' at 'roleSessionName' failed to satisfy constraint") =>
    error('ValidationError', 400, m),
  packedPolicyTooLarge: (m = 'Packed size of session tags consumes 138% of allotted space.') =>
    error('PackedPolicyTooLarge', 400, m),
  malformedPolicyDocument: (m = 'Syntax errors in policy.') => error('MalformedPolicyDocument', 400, m),
  idpCommunicationError: (m = 'Could not communicate with the identity provider.') =>
    error('IDPCommunicationError', 400, m),
  idpRejectedClaim: (m = 'The identity provider rejected the claim.') => error('IDPRejectedClaim', 403, m),
  throttling: () => error('Throttling', 400, 'Rate exceeded'),
  internalFailure: (status = 500) =>
    status === 503
      ? error('ServiceUnavailable', 503, 'Service is unavailable.')
      : error('InternalFailure', status, 'An internal error occurred.'),
  missingAuthenticationToken: () => error('MissingAuthenticationToken', 403, 'Request is missing Authentication Token'),
} as const;

export interface StsRequest {
  readonly action: string;
  readonly params: Readonly<Record<string, string>>;
  /** Whether an Authorization header was present (AssumeRoleWithWebIdentity must arrive unsigned). */
  readonly signed: boolean;
  /** The access key id of `Credential=<id>/<date>/<region>/sts/aws4_request`, when signed. */
  readonly accessKeyId?: string;
  readonly securityToken?: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  /** `jti` of the WebIdentityToken, when it is a JWT. */
  readonly jti?: string;
  /** ms since the fake started. */
  readonly at: number;
  status?: number;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ISO-8601 without milliseconds, as in the XML. */
  readonly expiration: string;
  readonly arn: string;
}

export interface StsFakeOptions {
  /** Account used when no role ARN gives one (GetCallerIdentity of unknown keys). */
  readonly accountId?: string;
  readonly callerUser?: string;
}

export interface StsFake {
  readonly url: string;
  readonly requests: StsRequest[];
  readonly issued: IssuedCredentials[];
  next(...behaviours: StsBehaviour[]): void;
  setDefault(behaviour: StsBehaviour): void;
  throttle(count: number): void;
  serverError(count: number, status?: number): void;
  /** The next `count` requests (default: all from now on) are accepted and never answered. */
  hang(count?: number): void;
  /** Every request for this RoleArn gets `behaviour` (until reset), whatever order parallel requests arrive in. */
  forRole(roleArn: string, behaviour: StsBehaviour): void;
  /**
   * Holds answers until `count` requests are in flight at once (or `maxWaitMs` passed), then answers them all: a
   * client that sends its requests one after another only ever has one in flight. `maxInFlight()` says what it saw.
   */
  gather(count: number, maxWaitMs?: number): void;
  maxInFlight(): number;
  actions(): string[];
  secrets(): string[];
  reset(): void;
  close(): Promise<void>;
}

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function alphanumeric(length: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(length), (b) => chars[b % chars.length]).join('');
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function errorXml(code: string, message: string, status: number, requestId: string): string {
  return (
    `<ErrorResponse xmlns="${NS}">\n  <Error>\n    <Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>\n` +
    `    <Code>${xmlEscape(code)}</Code>\n    <Message>${xmlEscape(message)}</Message>\n  </Error>\n` +
    `  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`
  );
}

function credentialsXml(c: IssuedCredentials): string {
  return (
    `    <Credentials>\n      <AccessKeyId>${c.accessKeyId}</AccessKeyId>\n` +
    `      <SecretAccessKey>${xmlEscape(c.secretAccessKey)}</SecretAccessKey>\n` +
    `      <SessionToken>${c.sessionToken}</SessionToken>\n      <Expiration>${c.expiration}</Expiration>\n    </Credentials>\n`
  );
}

function roleParts(roleArn: string): { partition: string; account: string; name: string } | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  return match ? { partition: match[1]!, account: match[2]!, name: match[3]! } : undefined;
}

export async function startStsFake(options: StsFakeOptions = {}): Promise<StsFake> {
  const accountId = options.accountId ?? '111122223333';
  const callerUser = options.callerUser ?? 'ci-user';
  const started = Date.now();
  const requests: StsRequest[] = [];
  const issued: IssuedCredentials[] = [];
  const webIdentityTokens: string[] = [];
  let queue: StsBehaviour[] = [];
  let fallback: StsBehaviour = { kind: 'allow' };
  let hangForever = false;
  const perRole = new Map<string, StsBehaviour>();
  let gathering: { count: number; maxWaitMs: number; held: Array<() => void>; timer?: NodeJS.Timeout } | undefined;
  let inFlight = 0;
  let maxInFlight = 0;

  const send = (res: ServerResponse, status: number, body: string, requestId: string, type = 'text/xml') => {
    res.writeHead(status, {
      'content-type': type,
      'content-length': Buffer.byteLength(body),
      'x-amzn-requestid': requestId,
    });
    res.end(body);
  };

  const mint = (
    roleArn: string,
    sessionName: string,
    behaviour: { secretAccessKey?: string; expiresIn?: number },
    duration: number,
  ) => {
    const role = roleParts(roleArn);
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${alphanumeric(16).toUpperCase()}`,
      secretAccessKey: behaviour.secretAccessKey ?? alphanumeric(40),
      sessionToken: `IQoJb3JpZ2luX2Vj${alphanumeric(300)}`,
      expiration: isoSeconds(new Date(Date.now() + (behaviour.expiresIn ?? duration) * 1000)),
      arn: `arn:${role?.partition ?? 'aws'}:sts::${role?.account ?? accountId}:assumed-role/${role?.name ?? 'role'}/${sessionName}`,
    };
    issued.push(credentials);
    return credentials;
  };

  const success = (
    action: string,
    params: Record<string, string>,
    behaviour: Extract<StsBehaviour, { kind: 'allow' }>,
    callerKeyId: string | undefined,
  ) => {
    const requestId = randomUUID();
    const meta = `  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n`;
    if (action === 'GetCallerIdentity') {
      const own = issued.find((c) => c.accessKeyId === callerKeyId);
      const arn = own?.arn ?? `arn:aws:iam::${accountId}:user/${callerUser}`;
      const account = arn.split(':')[4]!;
      const userId = own
        ? `AROA${alphanumeric(17).toUpperCase()}:${arn.split('/').pop()}`
        : `AIDA${alphanumeric(17).toUpperCase()}`;
      return {
        requestId,
        body:
          `<GetCallerIdentityResponse xmlns="${NS}">\n  <GetCallerIdentityResult>\n    <Arn>${arn}</Arn>\n` +
          `    <UserId>${userId}</UserId>\n    <Account>${account}</Account>\n  </GetCallerIdentityResult>\n${meta}</GetCallerIdentityResponse>\n`,
      };
    }
    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? 'session';
    const duration = Number(params.DurationSeconds ?? '3600');
    const c = mint(roleArn, sessionName, behaviour, duration);
    const roleId = `AROA${alphanumeric(17).toUpperCase()}`;
    const user = `    <AssumedRoleUser>\n      <AssumedRoleId>${roleId}:${xmlEscape(sessionName)}</AssumedRoleId>\n      <Arn>${xmlEscape(c.arn)}</Arn>\n    </AssumedRoleUser>\n`;
    const packed =
      params.Policy || params['Tags.member.1.Key'] || params['PolicyArns.member.1.arn']
        ? '    <PackedPolicySize>6</PackedPolicySize>\n'
        : '';
    if (action === 'AssumeRoleWithWebIdentity') {
      let aud = 'sts.amazonaws.com';
      let sub = 'unknown';
      let host = 'token.actions.githubusercontent.com';
      try {
        const claims = decodeClaims(params.WebIdentityToken ?? '');
        aud = String(Array.isArray(claims.aud) ? claims.aud[0] : (claims.azp ?? claims.aud ?? aud));
        sub = String(claims.sub ?? sub);
        host = String(claims.iss ?? host).replace(/^https:\/\//, '');
      } catch {
        // not a JWT: keep the placeholders, as the point of these tests is the client
      }
      const account = roleParts(roleArn)?.account ?? accountId;
      return {
        requestId,
        body:
          `<AssumeRoleWithWebIdentityResponse xmlns="${NS}">\n  <AssumeRoleWithWebIdentityResult>\n    <Audience>${xmlEscape(aud)}</Audience>\n` +
          `${user}    <Provider>arn:aws:iam::${account}:oidc-provider/${xmlEscape(host)}</Provider>\n${credentialsXml(c)}` +
          `    <SubjectFromWebIdentityToken>${xmlEscape(sub)}</SubjectFromWebIdentityToken>\n${packed}  </AssumeRoleWithWebIdentityResult>\n${meta}</AssumeRoleWithWebIdentityResponse>\n`,
      };
    }
    return {
      requestId,
      body:
        `<AssumeRoleResponse xmlns="${NS}">\n  <AssumeRoleResult>\n${user}${credentialsXml(c)}${packed}` +
        `  </AssumeRoleResult>\n${meta}</AssumeRoleResponse>\n`,
    };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const form = new URLSearchParams(req.method === 'GET' ? (req.url ?? '').replace(/^[^?]*\??/, '') : body);
    const params: Record<string, string> = {};
    for (const [key, value] of form) params[key] = value;
    const action = params.Action ?? '';
    const authorization = req.headers.authorization;
    const credential = authorization ? /Credential=([^/,\s]+)\//.exec(authorization)?.[1] : undefined;
    const securityToken = req.headers['x-amz-security-token'];
    let jti: string | undefined;
    if (params.WebIdentityToken) {
      webIdentityTokens.push(params.WebIdentityToken);
      try {
        jti = String(decodeClaims(params.WebIdentityToken).jti);
      } catch {
        jti = undefined;
      }
    }
    const record: StsRequest = {
      action,
      params,
      signed: authorization !== undefined,
      ...(credential ? { accessKeyId: credential } : {}),
      ...(typeof securityToken === 'string' ? { securityToken } : {}),
      headers: req.headers,
      body,
      ...(jti ? { jti } : {}),
      at: Date.now() - started,
    };
    requests.push(record);

    let behaviour: StsBehaviour =
      perRole.get(params.RoleArn ?? '') ?? queue.shift() ?? (hangForever ? { kind: 'hang' } : fallback);
    const requestId = randomUUID();
    if (!['AssumeRoleWithWebIdentity', 'AssumeRole', 'GetCallerIdentity'].includes(action)) {
      behaviour = error('InvalidAction', 400, `Could not find operation ${action} for version 2011-06-15`);
    } else if (action !== 'AssumeRoleWithWebIdentity' && !record.signed && behaviour.kind === 'allow') {
      behaviour = stsError.missingAuthenticationToken();
    }
    if (behaviour.kind === 'raw') {
      record.status = behaviour.status;
      send(res, behaviour.status, behaviour.body, requestId, behaviour.contentType);
      return;
    }
    if (behaviour.kind === 'error') {
      record.status = behaviour.status;
      send(res, behaviour.status, errorXml(behaviour.code, behaviour.message, behaviour.status, requestId), requestId);
      return;
    }
    if (behaviour.kind === 'hang') return;
    const ok = success(action, params, behaviour, credential);
    record.status = 200;
    send(res, 200, ok.body, ok.requestId);
  };

  /** Answers now, or once enough requests are held (gather). */
  const answer = (run: () => void) => {
    const gather = gathering;
    if (!gather) return run();
    gather.held.push(run);
    const release = () => {
      clearTimeout(gather.timer);
      if (gathering === gather) gathering = undefined;
      for (const held of gather.held.splice(0)) held();
    };
    if (gather.held.length >= gather.count) release();
    else gather.timer ??= setTimeout(release, gather.maxWaitMs);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(() => handle(req, res, Buffer.concat(chunks).toString('utf8'))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    issued,
    next: (...behaviours) => {
      queue.push(...behaviours);
    },
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    throttle: (count) => {
      for (let i = 0; i < count; i++) queue.push(stsError.throttling());
    },
    serverError: (count, status = 500) => {
      for (let i = 0; i < count; i++) queue.push(stsError.internalFailure(status));
    },
    hang: (count) => {
      if (count === undefined) hangForever = true;
      else for (let i = 0; i < count; i++) queue.push({ kind: 'hang' });
    },
    forRole: (roleArn, behaviour) => {
      perRole.set(roleArn, behaviour);
    },
    gather: (count, maxWaitMs = 2_000) => {
      gathering = { count, maxWaitMs, held: [] };
    },
    maxInFlight: () => maxInFlight,
    actions: () => requests.map((r) => r.action),
    secrets: () => [...issued.flatMap((c) => [c.accessKeyId, c.secretAccessKey, c.sessionToken]), ...webIdentityTokens],
    reset: () => {
      requests.length = 0;
      queue = [];
      fallback = { kind: 'allow' };
      hangForever = false;
      perRole.clear();
      gathering = undefined;
      maxInFlight = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
