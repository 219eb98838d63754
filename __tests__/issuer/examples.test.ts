// The Jenkins examples: the Groovy step must keep secrets out of shell strings. (The CloudFormation template is
// loaded by the emulator itself and exercised end to end in __tests__/examples/templates.test.ts.)
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const examples = join(__dirname, '../../examples/jenkins');

describe('withAwsIdToken.groovy', () => {
  // Behaviour is tested by running the step under groovy (__tests__/jenkins/); these are the rules of its source.
  test('never interpolates secrets, reads nothing a build can set, registers on the controller', async () => {
    const groovy = await readFile(join(examples, 'vars/withAwsIdToken.groovy'), 'utf8');
    const code = groovy.split('\n').filter((line) => !line.trim().startsWith('//'));
    for (const line of code) {
      expect(line).not.toMatch(/"[^"]*\$\{[^}]*(secret|requestToken|REQUEST_TOKEN)[^}]*\}/i);
      expect(line).not.toMatch(/\bsh\b/); // registration happens on the controller, not in a shell on the agent
      expect(line).not.toMatch(/\benv\./); // withEnv can set any variable
      expect(line).not.toMatch(/\b(withCredentials|httpRequest)\s*\(|\bcurrentBuild\./);
    }
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
