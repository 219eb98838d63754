import { type DoctorOptions, type FoundRole, findRoles } from '../../doctor/run';
import { InputError } from '../../errors';
import { inertJson, inertText, oneLine } from '../../printable';
import { decodeToken } from '../../token/token';
import type { CommandContext } from '../context';
import { personalSessionNameOf, personIdToken, personProvider } from './auth';

const COGNITO_ISSUER = 'https://cognito-identity.amazonaws.com';

/** Where the roles come from: the account (--live, as the doctor reads it) and/or templates. */
function roleSources(context: CommandContext): Omit<DoctorOptions, 'sessionName'> {
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
    cognitoIssuer: COGNITO_ISSUER,
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

function formatJson(provider: string, claims: Record<string, unknown>, roles: FoundRole[], all: boolean): string {
  const shown = all ? roles : roles.filter((r) => r.allowed);
  const identity = { provider, iss: claims.iss, sub: claims.sub, aud: claims.aud };
  return `${inertJson(JSON.stringify({ identity, roles: shown }, null, 2))}\n`;
}

/** `roles <provider>`: the roles the signed-in person can assume, judged by the doctor's role finder. */
export async function rolesCommand(context: CommandContext): Promise<number> {
  const opts = context.invocation.options;
  // Bad flags are reported before anyone is asked to sign in.
  const sources = roleSources(context);
  const person = personProvider(context);
  const idToken = await personIdToken(context, person);
  const claims = decodeToken(idToken, `sign-in with ${person.name}`).claims;
  // The session name auth would use: a trust policy may condition on sts:RoleSessionName.
  const sessionName =
    person.provider.values.get('role-session-name') ?? personalSessionNameOf(claims) ?? 'keyless-aws-roles';
  const origin = `sign-in with ${person.name}`;
  const roles = await findRoles({ ...sources, sessionName }, { claims, origin, unknownKeys: [] });
  const all = opts.get('all') === 'true';
  context.stdout(
    opts.get('format') === 'json'
      ? formatJson(person.name, claims, roles, all)
      : formatText(`${String(claims.sub)} (${person.name})`, roles, all),
  );
  return 0;
}
