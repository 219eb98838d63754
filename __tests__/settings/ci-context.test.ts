import { defaultSessionName, detectCi } from '../../src/settings/ci-context';
import { parseSettings, parseTokenSettings } from '../../src/settings/parse';
import { cliSource } from '../support/settings';

describe('detectCi', () => {
  it('JENKINS_ID_TOKEN_REQUEST_URL alone marks a keyless-aws Jenkins build', () => {
    const ci = detectCi({ JENKINS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/id-token', BUILD_NUMBER: '42' });
    expect(ci.kind).toBe('jenkins');
    expect(defaultSessionName(ci, false)).toBe('Jenkins-job-42');
  });

  it('a GitHub job stays a GitHub job even with the Jenkins variable', () => {
    expect(detectCi({ GITHUB_ACTIONS: 'true', JENKINS_ID_TOKEN_REQUEST_URL: 'http://j' }).kind).toBe('github');
  });

  it('the default session name and the token settings follow it', () => {
    const env = {
      JENKINS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/id-token',
      JENKINS_ID_TOKEN_REQUEST_TOKEN: 'request-token-0001',
      JOB_BASE_NAME: 'deploy',
      BUILD_NUMBER: '7',
      AWS_REGION: 'eu-west-1',
      AWS_ROLE_ARN: 'arn:aws:iam::111122223333:role/deploy',
    };
    expect(parseSettings(cliSource({}, env)).roleSessionName).toBe('Jenkins-deploy-7');
    expect(parseTokenSettings(cliSource({}, env))).toMatchObject({
      ci: 'jenkins',
      roleSessionName: 'Jenkins-deploy-7',
    });
  });
});
