import { version } from '../../../package.json';
import { formatJson, formatSarif, formatText } from '../../doctor/report';
import { type DoctorOptions, exitCodeFor, type FailOn, runDoctor } from '../../doctor/run';
import { offlineTokenContext, type TokenContext, unknownClaimKeys } from '../../doctor/token-context';
import { InputError } from '../../errors';
import { shownValue } from '../../secrets';
import { DEFAULT_AUDIENCE, parseTokenSettings } from '../../settings/parse';
import { createTokenSource } from '../../token';
import { type CommandContext, cliSettingsSource } from '../context';

const COGNITO_ISSUER = 'https://cognito-identity.amazonaws.com';

function list(context: CommandContext, name: string): string[] {
  const value = context.invocation.options.get(name);
  return value === undefined ? [] : value.split('\n');
}

function described(context: CommandContext, now: number, audience: string): TokenContext | undefined {
  const opt = (name: string) => context.invocation.options.get(name);
  const githubFlags = ['github-ref', 'github-environment', 'github-event', 'github-workflow-ref', 'github-sub-claims'];
  if (!opt('github-repository') && githubFlags.some((f) => opt(f) !== undefined)) {
    throw new InputError(
      `--${githubFlags.find((f) => opt(f) !== undefined)} describes a GitHub context: add --github-repository <owner>/<repo>.`,
    );
  }
  const jenkinsFlags = ['jenkins-issuer', 'jenkins-job', 'jenkins-build'];
  const jenkinsGiven = jenkinsFlags.filter((f) => opt(f) !== undefined);
  if (jenkinsGiven.length > 0 && jenkinsGiven.length < 3) {
    throw new InputError(
      `A Jenkins context needs ${jenkinsFlags.map((f) => `--${f}`).join(', ')}; missing --${jenkinsFlags.find((f) => !opt(f))}.`,
    );
  }
  return offlineTokenContext({
    ...(opt('claims-file') ? { claimsFile: opt('claims-file') } : {}),
    claimPairs: list(context, 'claim'),
    ...(opt('github-repository')
      ? {
          github: {
            repository: opt('github-repository') as string,
            ref: opt('github-ref'),
            environment: opt('github-environment'),
            event: opt('github-event'),
            jobWorkflowRef: opt('github-workflow-ref'),
            ...(opt('github-sub-claims')
              ? { subClaimKeys: (opt('github-sub-claims') as string).split(',').map((k) => k.trim()) }
              : {}),
          },
        }
      : {}),
    ...(jenkinsGiven.length === 3
      ? {
          jenkins: {
            issuer: opt('jenkins-issuer') as string,
            job: opt('jenkins-job') as string,
            build: opt('jenkins-build') as string,
          },
        }
      : {}),
    audience,
    now,
  });
}

/** The CI token the other commands would use, when --token-source is given: same settings, same sources. */
async function ciTokenContext(context: CommandContext): Promise<TokenContext> {
  const settings = parseTokenSettings(cliSettingsSource(context));
  const token = await createTokenSource(settings.source, {
    audience: settings.audience,
    timeoutMs: settings.requestTimeoutMs,
    ...(settings.proxy ? { proxy: settings.proxy } : {}),
  })();
  return { claims: token.claims, origin: token.origin, unknownKeys: unknownClaimKeys(token.claims) };
}

function durationOf(context: CommandContext): number | undefined {
  const raw = context.invocation.settings.get('role-duration-seconds');
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw))
    throw new InputError(`--role-duration-seconds must be a number of seconds; got ${shownValue(raw)}.`);
  return Number(raw);
}

/** `doctor`: which roles a token can assume, why one cannot, and lint findings for the trust policies. */
export async function doctorCommand(context: CommandContext): Promise<number> {
  const { options: opts, settings } = context.invocation;
  const now = Date.now();
  const audience = settings.get('audience') ?? DEFAULT_AUDIENCE;
  const roleArn = opts.get('role-arn') ?? settings.get('role-to-assume');
  const options: DoctorOptions = {
    templates: list(context, 'template'),
    policies: list(context, 'policy'),
    ...(roleArn ? { roleArn } : {}),
    clientIds: list(context, 'client-id').length > 0 ? list(context, 'client-id') : [audience],
    sessionName: settings.get('role-session-name') ?? 'keyless-aws-doctor',
    durationSeconds: durationOf(context),
    cognitoIssuer: opts.get('cognito-issuer') ?? COGNITO_ISSUER,
    now,
    ...(opts.get('live') === 'true'
      ? {
          live: {
            ...(opts.get('profile') ? { profile: opts.get('profile') } : {}),
            ...(opts.get('iam-endpoint') ? { endpoint: opts.get('iam-endpoint') } : {}),
            ...(roleArn ? { roleArn } : {}),
            timeoutMs: 10_000,
          },
        }
      : {}),
  };
  if (opts.get('live') !== 'true' && (opts.has('profile') || opts.has('iam-endpoint'))) {
    throw new InputError(`--${opts.has('profile') ? 'profile' : 'iam-endpoint'} is used with --live only.`);
  }
  let token = described(context, now, audience);
  if (!token && settings.has('token-source')) token = await ciTokenContext(context);
  for (const note of token?.unknownKeys ?? []) context.log.warn(note);
  const result = await runDoctor(options, token);
  const format = opts.get('format') ?? 'text';
  const colour = format === 'text' && process.stdout.isTTY === true && !context.env.NO_COLOR;
  context.stdout(
    format === 'json'
      ? formatJson(result)
      : format === 'sarif'
        ? formatSarif(result, version)
        : formatText(result, colour),
  );
  return exitCodeFor(result, {
    ...(roleArn && token ? { roleArn } : {}),
    failOn: (opts.get('fail-on') ?? 'error') as FailOn,
  });
}
