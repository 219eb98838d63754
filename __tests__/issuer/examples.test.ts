// The Jenkins examples: the Groovy step must keep secrets out of shell strings. (The CloudFormation template is
// loaded by the emulator itself and exercised end to end in __tests__/examples/templates.test.ts.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const examples = join(__dirname, '../../examples/jenkins');

describe('withAwsIdToken.groovy', () => {
  test('never interpolates secrets with Groovy "${}" and binds the admin secret via withCredentials', async () => {
    const groovy = await readFile(join(examples, 'vars/withAwsIdToken.groovy'), 'utf8');
    const code = groovy.split('\n').filter((line) => !line.trim().startsWith('//'));
    for (const line of code) {
      expect(line).not.toMatch(/"[^"]*\$\{[^}]*(SECRET|requestToken|REQUEST_TOKEN)[^}]*\}/);
      expect(line).not.toMatch(/\bsh\b/); // registration happens on the controller, not in a shell on the agent
    }
    expect(groovy).toContain(
      "withCredentials([string(credentialsId: credentialsId, variable: 'KEYLESS_ISSUER_ADMIN_SECRET')])",
    );
    expect(groovy).toContain('maskValue: true');
    expect(groovy).toContain("'JENKINS_ID_TOKEN_REQUEST_URL=' + tokenUrl");
    expect(groovy).toContain('MaskPasswordsBuildWrapper');
  });

  test('the Jenkinsfile runs the CLI with the jenkins token source in a single-quoted sh', async () => {
    const jenkinsfile = await readFile(join(examples, 'Jenkinsfile'), 'utf8');
    expect(jenkinsfile).toMatch(/withAwsIdToken\(/);
    expect(jenkinsfile).toMatch(
      /sh 'node dist\/index\.js exec --token-source jenkins --role-to-assume "\$AWS_ROLE_ARN" --aws-region "\$AWS_REGION" -- aws sts get-caller-identity'/,
    );
  });
});
