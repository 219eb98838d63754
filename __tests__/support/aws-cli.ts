/**
 * The AWS CLI the tests drive: Debian's awscli at /usr/bin/aws, which `.ci/run` installs — never whichever `aws`
 * comes first on PATH (a pyenv shim or an old v1 would test something else, differently on every machine).
 * KEYLESS_TEST_AWS_CLI names another one explicitly (GitHub's runners ship AWS CLI v2 at /usr/local/bin/aws).
 * When it is missing, every test that needs it fails with the same message and the install command.
 */
import { accessSync, constants } from 'node:fs';

export function awsCliPath(): string {
  const path = process.env.KEYLESS_TEST_AWS_CLI || '/usr/bin/aws';
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `These tests drive the AWS CLI at ${path}, which is not installed. Install it with ` +
        '`apt-get install -y awscli` (bash .ci/run does), or set KEYLESS_TEST_AWS_CLI to an AWS CLI v2 executable.',
    );
  }
  return path;
}
