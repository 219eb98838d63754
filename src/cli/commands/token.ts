import { formatTime, trustPolicyValues } from '../../explain/denial';
import { inertJson, inertText, oneLine } from '../../printable';
import { parseTokenSettings } from '../../settings/parse';
import { createTokenSource } from '../../token';
import { issuerHost, type Token } from '../../token/token';
import { type CommandContext, cliSettingsSource } from '../context';

const TIME_CLAIMS = new Set(['exp', 'iat', 'nbf', 'auth_time']);
const FIRST_CLAIMS = ['iss', 'aud', 'sub', 'azp', 'exp', 'iat', 'nbf', 'jti'];

/** Header and claims are the issuer's words: one line each (see printable.ts). */
const show = oneLine;

function orderedClaims(token: Token): [string, unknown][] {
  const names = [
    ...FIRST_CLAIMS.filter((n) => n in token.claims),
    ...Object.keys(token.claims)
      .filter((n) => !FIRST_CLAIMS.includes(n))
      .sort(),
  ];
  return names.map((n) => [n, token.claims[n]]);
}

/** `token`: what the CI hands out, decoded; never the raw token or its signature. */
export async function tokenCommand(context: CommandContext): Promise<number> {
  const settings = parseTokenSettings(cliSettingsSource(context));
  for (const line of settings.provenance) context.log.debug(line);
  const token = await createTokenSource(settings.source, {
    audience: settings.audience,
    timeoutMs: settings.requestTimeoutMs,
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
    debug: (line) => context.log.debug(line),
  })();
  const now = Date.now();
  const trust = trustPolicyValues(token);
  const exp = token.claims.exp;
  if (typeof exp === 'number' && exp * 1000 < now)
    context.log.warn(`the token expired ${formatTime(exp, new Date(now))}.`);
  const cognito = settings.cognito;
  const cognitoNote = cognito
    ? {
        identityPoolId: cognito.identityPoolId,
        loginsKey: cognito.providerName ?? issuerHost(token.claims.iss) ?? '(none)',
        trustPolicy: { 'cognito-identity.amazonaws.com:aud': cognito.identityPoolId },
      }
    : undefined;

  if (context.invocation.options.get('format') === 'json') {
    context.stdout(
      `${inertJson(
        JSON.stringify(
          {
            origin: token.origin,
            requestedAudience: settings.audience,
            ci: settings.ci,
            roleSessionName: settings.roleSessionName,
            header: token.header,
            claims: token.claims,
            trustPolicy: trust,
            ...(cognitoNote ? { cognito: cognitoNote } : {}),
          },
          null,
          2,
        ),
      )}\n`,
    );
    return 0;
  }
  const lines = [
    `Token from ${token.origin} (decoded, not verified; the raw token and its signature are not shown)`,
    `Requested audience: ${settings.audience}`,
    `CI: ${settings.ci}; role session name: ${settings.roleSessionName}`,
    'Header:',
    ...Object.entries(token.header).map(([k, v]) => `  ${show(k)}: ${show(v)}`),
    'Claims:',
    ...orderedClaims(token).map(
      ([k, v]) => `  ${show(k)}: ${TIME_CLAIMS.has(k) ? formatTime(v, new Date(now)) : show(v)}`,
    ),
  ];
  if (cognitoNote) {
    lines.push(
      `Cognito flow: this token goes to identity pool ${cognitoNote.identityPoolId} under the Logins key ${show(cognitoNote.loginsKey)};`,
      'the role then sees a Cognito token, so its trust policy compares:',
      `  cognito-identity.amazonaws.com:aud = ${cognitoNote.identityPoolId}`,
    );
  } else {
    lines.push(
      'What an IAM trust policy sees (AssumeRoleWithWebIdentity):',
      ...Object.entries(trust).map(([k, v]) => `  ${show(k)} = ${show(v)}`),
    );
  }
  context.stdout(`${inertText(lines.join('\n'))}\n`);
  return 0;
}
