/**
 * How the demo explains a step to a newcomer: what it is (the CI, its issuer as production names it and where it runs
 * here, the role and the template that defines it), what the user would write to do the same, and what happened.
 */
import { commandLine } from '../sink/refreshable';

/** What a step is, for the reader. */
export interface StepContext {
  readonly ci: string;
  /** The issuer URL as AWS sees it (the `iss` the template trusts) and the loopback URL it is served on here. */
  readonly issuer: { readonly production: string; readonly local: string };
  readonly roleArn: string;
  /** The example template and the logical id of the role in it. */
  readonly template: { readonly path: string; readonly logicalId: string };
}

/** A shell command line as a user types it: the environment assignments that matter, then the quoted argv. */
export function shellCommand(argv: readonly string[], env: Readonly<Record<string, string>> = {}): string {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${commandLine([value], 'linux')}`);
  return [...assignments, commandLine(argv, 'linux')].join(' ');
}

/** A workflow step using the action with these inputs, as it goes into a workflow file. */
export function actionStep(inputs: Readonly<Record<string, string>>): string[] {
  return [
    '- uses: keyless-aws/keyless-aws@v1',
    '  with:',
    ...Object.entries(inputs).map(([name, value]) => `    ${name}: ${value}`),
  ];
}

/** The lines printed under a step's title, indented once for the sections and twice for their content. */
export function describeStep(
  context: StepContext,
  equivalent: readonly string[],
  outcome: readonly string[],
): string[] {
  const { issuer, template } = context;
  return [
    `CI:      ${context.ci}`,
    `Issuer:  ${issuer.production} (served here on ${issuer.local}, mapped by the emulator's --issuer)`,
    `Role:    ${context.roleArn} (${template.logicalId} in ${template.path})`,
    'You would write:',
    ...equivalent.map((line) => `  ${line}`),
    'What happened:',
    ...outcome.map((line) => `  ${line}`),
  ];
}
