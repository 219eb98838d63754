import { type DoctorOptions, type FoundRole, findRoles } from '../../doctor/run';
import { InputError } from '../../errors';
import type { CognitoResult } from '../../exchange/cognito';
import { inertJson, inertText, oneLine } from '../../printable';
import { parseRouteSettings, type RouteSettings } from '../../settings/parse';
import { decodeToken, type Token } from '../../token/token';
import { type CommandContext, cliSettingsSource } from '../context';
import {
  type PersonProvider,
  parseWithFileLabels,
  personalSessionNameOf,
  personIdToken,
  personProvider,
  withProviderDefaults,
} from './auth';

const COGNITO_ISSUER = 'https://cognito-identity.amazonaws.com';

/** Where the roles come from: the account (--live, as the doctor reads it) and/or templates. */
function roleSources(context: CommandContext): Omit<DoctorOptions, 'sessionName' | 'cognitoIssuer'> {
  const opts = context.invocation.options;
  const live = opts.get('live') === 'true';
  const templates = opts.get('template')?.split('\n') ?? [];
  if (!live && (opts.has('profile') || opts.has('iam-endpoint'))) {
    throw new InputError(`--${opts.has('profile') ? 'profile' : 'iam-endpoint'} is used with --live only.`);
  }
  if (!live && templates.length === 0) {
    throw new InputError(
      'The roles command needs roles to judge: none of --live or --template was given.',
      'Give --live (the roles of the account your AWS credentials read) or --template FILE (repeatable).',
    );
  }
  return {
    templates,
    policies: [],
    clientIds: [],
    now: Date.now(),
    ...(live
      ? {
          live: {
            ...(opts.get('profile') ? { profile: opts.get('profile') } : {}),
            ...(opts.get('iam-endpoint') ? { endpoint: opts.get('iam-endpoint') } : {}),
            timeoutMs: 10_000,
          },
        }
      : {}),
  };
}

/** The route auth would take, from the same settings (providers file under this call's flags, environment). */
function routeSettings(context: CommandContext, person: PersonProvider): RouteSettings {
  const source = withProviderDefaults(cliSettingsSource(context), person.provider);
  return parseWithFileLabels(parseRouteSettings, source, person.provider, context.invocation.settings);
}

/** What the roles are judged against: the token STS would be given, and how it came to be. */
interface Judged {
  readonly token: Token;
  readonly origin: string;
  readonly cognito?: CognitoResult;
}

/** The person's ID token, or on the Cognito route the Cognito token for it (real GetId and GetOpenIdToken calls). */
async function tokenStsSees(
  context: CommandContext,
  person: PersonProvider,
  settings: RouteSettings,
  idToken: Token,
): Promise<Judged> {
  if (settings.route.kind === 'sts') return { token: idToken, origin: `sign-in with ${person.name}` };
  const { stsTokenStep } = await import('../../exchange/sts-token');
  const step = await stsTokenStep(
    settings.route,
    {
      requestTimeoutMs: settings.requestTimeoutMs,
      ...(settings.proxy ? { proxy: settings.proxy } : {}),
      debug: (line) => context.log.debug(line),
    },
    context.log,
  );
  // A refusal (the pool does not trust the provider, classic flow off) is auth's error, explained as auth does.
  const { token, cognito } = await step(idToken);
  return { token, cognito, origin: `Cognito token for ${person.name} sign-in` };
}

/** Reasons quote the token's claims and IAM's text: one line each (see printable.ts). */
function roleLines(role: FoundRole): string[] {
  if (role.allowed) {
    return [role.roleArn, `    ${oneLine(role.reason)}; max session ${role.maxSessionDuration} s`];
  }
  return [
    `DENIED ${role.roleArn}`,
    `    ${role.stage}: ${oneLine(role.reason)}`,
    ...(role.fix ? [`    fix: ${oneLine(role.fix)}`] : []),
  ];
}

function formatText(who: string, roles: FoundRole[], all: boolean): string {
  const allowed = roles.filter((r) => r.allowed);
  const lines = [`Signed in as ${oneLine(who)}: ${allowed.length} of ${roles.length} roles can be assumed.`];
  for (const role of all ? roles : allowed) lines.push(...roleLines(role));
  return `${inertText(lines.join('\n'))}\n`;
}

/** `identity` is the token the roles were judged against; on the Cognito route, with the identity behind it. */
function formatJson(provider: string, judged: Judged, roles: FoundRole[], all: boolean): string {
  const shown = all ? roles : roles.filter((r) => r.allowed);
  const { claims } = judged.token;
  const identity = {
    provider,
    iss: claims.iss,
    sub: claims.sub,
    aud: claims.aud,
    ...(judged.cognito
      ? {
          cognito: {
            identityId: judged.cognito.identityId,
            loginsKey: judged.cognito.providerName,
            principalTags: judged.cognito.principalTags,
          },
        }
      : {}),
  };
  return `${inertJson(JSON.stringify({ identity, roles: shown }, null, 2))}\n`;
}

/** `roles <provider>`: the roles the signed-in person can assume, judged by the doctor's role finder. */
export async function rolesCommand(context: CommandContext): Promise<number> {
  const opts = context.invocation.options;
  // Bad flags and settings are reported before anyone is asked to sign in.
  const sources = roleSources(context);
  const person = personProvider(context);
  const settings = routeSettings(context, person);
  for (const line of settings.provenance) context.log.debug(line);

  const idToken = decodeToken(await personIdToken(context, person), `sign-in with ${person.name}`);
  // The session name auth would send (named after the person unless one is set): a trust policy may test it.
  const sessionName = settings.roleSessionNameGiven
    ? settings.roleSessionName
    : (personalSessionNameOf(idToken.claims) ?? settings.roleSessionName);
  const judged = await tokenStsSees(context, person, settings, idToken);
  const roles = await findRoles(
    {
      ...sources,
      sessionName,
      // A token Cognito just issued is Cognito's whatever its issuer URL (the emulator serves its own).
      cognitoIssuer: judged.cognito ? String(judged.token.claims.iss) : COGNITO_ISSUER,
    },
    { claims: judged.token.claims, origin: judged.origin, unknownKeys: [] },
  );
  const all = opts.get('all') === 'true';
  const who = judged.cognito
    ? `${String(idToken.claims.sub)} (${person.name}) through Cognito identity ${judged.cognito.identityId}`
    : `${String(idToken.claims.sub)} (${person.name})`;
  context.stdout(
    opts.get('format') === 'json' ? formatJson(person.name, judged, roles, all) : formatText(who, roles, all),
  );
  return 0;
}
