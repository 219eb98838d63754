import { checkClientId } from '../../audiences/declaration';
import { IamAccount } from '../../audiences/iam-account';
import { planJson, planText } from '../../audiences/render';
import { type AudienceRequest, runAudiences } from '../../audiences/run';
import { InputError } from '../../errors';
import { oneLine } from '../../printable';
import type { CommandContext } from '../context';

const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

function repeated(context: CommandContext, name: string): string[] {
  return context.invocation.options.get(name)?.split('\n') ?? [];
}

/** Every flag checked before any call: a mistyped role or client id is exit 2 with nothing read or written. */
function requestOf(context: CommandContext): AudienceRequest {
  const opts = context.invocation.options;
  const action = context.invocation.positional;
  if (action !== 'sync' && action !== 'prune') {
    throw new InputError(
      `audiences takes sync or prune, not "${oneLine(action ?? '')}".`,
      'sync after a role is created, prune after one is deleted.',
    );
  }
  const role = opts.get('role');
  if (role !== undefined && !ROLE_NAME.test(role)) {
    throw new InputError(
      `--role "${oneLine(role)}" is not a role name.`,
      'Give the name (not the ARN) of the role: [\\w+=,.@-]{1,64}.',
    );
  }
  const providers = repeated(context, 'provider');
  if (action === 'sync') {
    if (role === undefined) throw new InputError('audiences sync needs --role NAME: the role that was created.');
    if (providers.length > 1) throw new InputError('audiences sync takes one --provider: the one the role trusts.');
    for (const flag of ['keep']) if (opts.has(flag)) throw new InputError(`--${flag} is used with prune only.`);
  } else if (opts.has('audience')) {
    throw new InputError('--audience is used with sync only: prune judges every client id of the providers.');
  } else if (providers.length === 0) {
    throw new InputError(
      "audiences prune: no provider to check. A deleted role's tags are gone with it, so name the providers whose unused audiences may go.",
      'Pass --provider ARN|ISSUER (repeatable).',
    );
  }
  const audience = opts.get('audience');
  if (audience !== undefined) checkClientId(audience, '--audience');
  const assumeRole = opts.get('assume-role');
  if (assumeRole !== undefined && !ROLE_ARN.test(assumeRole)) {
    throw new InputError(
      `--assume-role "${oneLine(assumeRole)}" is not a role ARN.`,
      'Expected arn:aws:iam::<12-digit account>:role/<name>.',
    );
  }
  return {
    event: action === 'sync' ? 'CreateRole' : 'DeleteRole',
    roleName: role ?? '',
    ...(audience !== undefined ? { audience } : {}),
    ...(action === 'sync' && providers[0] ? { provider: providers[0] } : {}),
    providers: action === 'prune' ? providers : [],
    keep: repeated(context, 'keep'),
    apply: opts.get('apply') === 'true',
  };
}

/** `audiences`: the audience automation run by a person or a pipeline. */
export async function audiencesCommand(context: CommandContext): Promise<number> {
  const opts = context.invocation.options;
  const request = requestOf(context);
  const account = await IamAccount.open({
    region: opts.get('region') ?? (context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || 'us-east-1'),
    timeoutMs: 10_000,
    ...(opts.get('profile') ? { profile: opts.get('profile') } : {}),
    ...(opts.get('iam-endpoint') ? { iamEndpoint: opts.get('iam-endpoint') } : {}),
    ...(opts.get('sts-endpoint') ? { stsEndpoint: opts.get('sts-endpoint') } : {}),
    ...(opts.get('assume-role') ? { assumeRoleArn: opts.get('assume-role') } : {}),
  });
  try {
    const outcome = await runAudiences(request, account);
    if ('skipped' in outcome) {
      // A person named this role: one that is not there, or not declared, is a mistake to report (exit 2).
      throw new InputError(
        `--role ${request.roleName}: ${outcome.skipped}.`,
        'Name a role of the account acted in, tagged keyless-aws:audience and keyless-aws:oidc-provider, or pass --audience and --provider.',
      );
    }
    const format = opts.get('format') ?? 'text';
    context.stdout(
      format === 'json' ? planJson(outcome.plan, outcome.applied) : planText(outcome.plan, outcome.applied),
    );
    return 0;
  } finally {
    account.close();
  }
}
