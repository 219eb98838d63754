/**
 * Every file in examples/ is something a user copies, so every one must be exercised by a test that runs it with
 * the client it is written for. This table says which tests those are; a new example without an entry, or an entry
 * whose test no longer names the example, fails here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/run-dist';
import { cloudFormationTemplates, exampleFiles, githubWorkflows, readExample } from './support/examples';

/** Example (relative to examples/) → test files (relative to __tests__/) that load or run it end to end. */
const EXERCISED_BY: Readonly<Record<string, readonly string[]>> = {
  // Loaded by the emulator unchanged; assumed with the action, the CLI and the AWS CLI.
  'github-oidc.yml': ['examples/templates.test.ts', 'examples/workflows.test.ts', 'e2e/aws-cli.test.ts'],
  'cognito-tags.yml': ['examples/templates.test.ts', 'examples/workflows.test.ts', 'e2e/emulator-trust.test.ts'],
  'multi-account.yml': ['examples/templates.test.ts', 'examples/workflows.test.ts', 'e2e/action-profiles.test.ts'],
  'jenkins/jenkins-oidc.yml': ['examples/templates.test.ts', 'e2e/jenkins-chain.test.ts', 'e2e/aws-cli.test.ts'],
  // Trusting a local OpenID provider a person signs in to with headless Chromium (auth, console).
  'people-oidc.yml': ['examples/templates.test.ts', 'e2e/people-login.test.ts'],
  // Run through dist/index.js as the Actions runner starts it, then their `aws sts` lines with the AWS CLI.
  'workflows/github-oidc.yml': ['examples/workflows.test.ts'],
  'workflows/github-refreshable.yml': ['examples/workflows.test.ts'],
  'workflows/cognito-tags.yml': ['examples/workflows.test.ts'],
  'workflows/multi-account.yml': ['examples/workflows.test.ts'],
  // Its doctor step runs for real with bash against examples/ (the SARIF it writes is checked).
  'workflows/doctor-lint.yml': ['package/doctor-lint-workflow.test.ts'],
  // The Jenkins shared-library step and the Jenkinsfiles that call it, run under groovy with Jenkins stand-ins.
  'jenkins/vars/withAwsIdToken.groovy': ['jenkins/with-aws-id-token.test.ts'],
  'jenkins/Jenkinsfile': ['jenkins/with-aws-id-token.test.ts'],
  Jenkinsfile: ['jenkins/with-aws-id-token.test.ts'],
  'jenkins-cognito.Jenkinsfile': ['jenkins/with-aws-id-token.test.ts'],
  // Microsoft: loaded by the emulator with the Microsoft issuers mapped, assumed through dist/index.js with tokens
  // from loopback Azure DevOps, IMDS and Entra; the Landing Zone Accelerator entry parsed and its template loaded.
  'microsoft/entra-id.yml': ['examples/templates.test.ts', 'examples/microsoft.test.ts'],
  'microsoft/azure-devops.yml': ['examples/templates.test.ts', 'examples/microsoft.test.ts'],
  'microsoft/lza/customizations-config.yaml': ['examples/microsoft.test.ts'],
  // The audience automation's role in target accounts: loaded into a second emulated account and assumed by the
  // automation (in process, by the built CLI with --assume-role, and by the built Lambda bundle).
  'microsoft/audience-automation-role.yml': [
    'audiences/iam-flow.test.ts',
    'e2e/cli-audiences.test.ts',
    'e2e/lambda-audiences.test.ts',
  ],
  // The agent image: its npm install stage and the copy/link stage run by bash against this checkout's package.
  'jenkins/agent.Dockerfile': ['package/install.test.ts'],
};

const files = exampleFiles();

test.each(files)('%s is exercised by a test', (file) => {
  const tests = EXERCISED_BY[file];
  if (!tests) throw new Error(`examples/${file} has no test: add one that runs it, and list it in EXERCISED_BY`);
  for (const test of tests) {
    const path = join(ROOT, '__tests__', test);
    expect([test, existsSync(path)]).toEqual([test, true]);
    // The test names the file it runs (a path ending in it), so a renamed or removed example breaks the link.
    const basename = file.split('/').pop() as string;
    expect([test, readFileSync(path, 'utf8').includes(basename)]).toEqual([test, true]);
  }
});

test('the table lists no example that is gone', () => {
  expect(Object.keys(EXERCISED_BY).filter((file) => !files.includes(file))).toEqual([]);
});

test('the examples include the templates and workflows the README quotes', () => {
  expect(cloudFormationTemplates()).toEqual([
    'cognito-tags.yml',
    'github-oidc.yml',
    'jenkins/jenkins-oidc.yml',
    'microsoft/audience-automation-role.yml',
    'microsoft/azure-devops.yml',
    'microsoft/entra-id.yml',
    'multi-account.yml',
    'people-oidc.yml',
  ]);
  expect(githubWorkflows()).toEqual([
    'workflows/cognito-tags.yml',
    'workflows/doctor-lint.yml',
    'workflows/github-oidc.yml',
    'workflows/github-refreshable.yml',
    'workflows/multi-account.yml',
  ]);
});

test.each(files)('%s names no flag that does not exist and no loopback issuer', (file) => {
  const lines = readExample(file).split('\n');
  // `--role-arn` belongs to `aws sts assume-role`; keyless-aws takes --role-to-assume / role-to-assume.
  for (const line of lines.filter((l) => l.includes('--role-arn'))) expect(line).toMatch(/aws sts assume-role/);
  // What is deployed names production URLs; only comments may show how the emulator maps them to loopback.
  const code = lines.filter((l) => !/^\s*(#|\/\/)/.test(l));
  expect(code.filter((l) => /https?:\/\/(127\.0\.0\.1|localhost|\[::1\])/.test(l))).toEqual([]);
});
