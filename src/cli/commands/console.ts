import { defaultBrowserCommand, openBrowser } from '../../auth/open-browser';
import { runtimeDir } from '../../auth/paths';
import { openPrivately } from '../../console/open-privately';
import { partitionOf } from '../../console/partition';
import { consoleSigninUrl } from '../../console/signin-url';
import { InputError, KeylessError } from '../../errors';
import type { AwsCredentials } from '../../exchange/session';
import { shownValue } from '../../secrets';
import { isLoopbackHost } from '../../shared/loopback';
import type { CommandContext, Env } from '../context';
import { UsageError } from '../usage-error';

const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Where a printed URL would end up in a build log, which anyone with read access to the job can open. Not every CI
 * sets CI=true: Azure Pipelines (a token source of ours) sets only TF_BUILD, CodeBuild and TeamCity their own names,
 * and some set CI=True.
 */
function ciName(env: Env): string | undefined {
  if (env.GITHUB_ACTIONS === 'true') return 'GitHub Actions';
  if (env.JENKINS_URL || env.JENKINS_ID_TOKEN_REQUEST_URL) return 'Jenkins';
  if (env.TF_BUILD) return 'Azure Pipelines';
  if (env.CODEBUILD_BUILD_ID) return 'AWS CodeBuild';
  if (env.TEAMCITY_VERSION) return 'TeamCity';
  const ci = env.CI?.trim().toLowerCase();
  if (ci && ci !== 'false' && ci !== '0') return 'CI';
  return undefined;
}

function durationOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < 900 || value > 43_200) {
    throw new InputError(`--session-duration-s must be a whole number between 900 and 43200, got ${shownValue(text)}.`);
  }
  return value;
}

/** The credentials the AWS CLI would use here: environment, then --profile / AWS_PROFILE (credential_process too). */
async function currentCredentials(context: CommandContext): Promise<AwsCredentials> {
  const profile = context.invocation.options.get('profile');
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  try {
    const found = await defaultProvider(profile ? { profile } : {})();
    return {
      accessKeyId: found.accessKeyId,
      secretAccessKey: found.secretAccessKey,
      ...(found.sessionToken ? { sessionToken: found.sessionToken } : {}),
      ...(found.expiration ? { expiration: found.expiration } : {}),
    };
  } catch (error) {
    if (error instanceof KeylessError) throw error;
    throw new InputError(
      `No AWS credentials found${profile ? ` for --profile ${profile}` : ''}: ${(error as Error).message}`,
      'Run it where credentials are set (AWS_ACCESS_KEY_ID…, or exec -- keyless-aws console), or name a profile (--profile work with credential_process = keyless-aws auth work).',
    );
  }
}

/**
 * The federation endpoint gets the session credentials in its query string: plain http only to this machine (the
 * emulator's /federation), never across a network.
 */
function signinEndpointOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url?.protocol === 'https:' || (url?.protocol === 'http:' && isLoopbackHost(url.hostname))) return text;
  throw new InputError(
    `--signin-endpoint must be an https URL (http only on loopback, e.g. the emulator), got ${shownValue(text)}.`,
    'The session credentials travel to it in the query string; use https://signin.aws.amazon.com/federation or leave --signin-endpoint out.',
  );
}

/** `console`: the current credentials as an AWS Management Console sign-in, opened in the browser (or printed). */
export async function consoleCommand(context: CommandContext): Promise<number> {
  const { options } = context.invocation;
  const print = options.get('print') === 'true';
  const ci = ciName(context.env);
  if (print && ci) {
    throw new UsageError(
      `--print is refused in ${ci}: the sign-in URL is as good as the credentials for 15 minutes, and the build log would keep it.`,
      'Run console on your own machine (with a profile, or the credentials exported from the job), where it opens the browser.',
    );
  }
  const region = options.get('region') ?? context.env.AWS_REGION ?? context.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  // The partition supplies only what the flags do not: with both given, any partition works.
  const partition = () => partitionOf(region);
  const sessionDurationS = durationOf(options.get('session-duration-s'));
  const destination = options.get('destination') ?? partition().console;
  if (!/^https:\/\//.test(destination))
    throw new InputError(`--destination must be an https URL, got ${shownValue(destination)}.`);
  const signinEndpoint = signinEndpointOf(options.get('signin-endpoint'));
  const credentials = await currentCredentials(context);
  const url = await consoleSigninUrl(credentials, {
    federation: signinEndpoint ?? partition().federation,
    destination,
    timeoutMs: REQUEST_TIMEOUT_MS,
    ...(sessionDurationS === undefined ? {} : { sessionDurationS }),
  });
  if (print) {
    context.stdout(`${url}\n`);
    return 0;
  }
  const browser = options.get('browser') ?? defaultBrowserCommand();
  // Not the URL itself in the browser's argv (every local user can read argv): a private page that forwards to it.
  const opened = await openPrivately(url, {
    base: runtimeDir(context.env),
    open: async (pageUrl) => {
      const started = await openBrowser(browser, pageUrl);
      if (started) {
        context.log.info('Opened the AWS console sign-in in the browser (the link works once, for 15 minutes).');
      }
      return started;
    },
  });
  if (!opened) {
    throw new InputError(
      `Could not start the browser (${browser.split(' ')[0]}).`,
      'Name one with --browser "COMMAND {}", or use --print.',
    );
  }
  return 0;
}
