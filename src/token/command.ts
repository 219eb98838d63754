import { TokenError, TransientError } from '../errors';
import { decodeToken, type TokenSource } from './token';

/**
 * Buildkite mints tokens through its agent: `buildkite-agent oidc request-token --audience <aud>` prints the JWT.
 * The agent itself reads BUILDKITE_AGENT_ACCESS_TOKEN and BUILDKITE_JOB_ID from the environment.
 */
export function buildkiteTokenSource(command: string, audience: string, timeoutMs: number): TokenSource {
  return () =>
    new Promise((resolvePromise, reject) => {
      // Loaded here: only Buildkite runs need a child process to get a token.
      const { execFile } = require('node:child_process') as typeof import('node:child_process');
      execFile(
        command,
        ['oidc', 'request-token', '--audience', audience],
        { timeout: timeoutMs, maxBuffer: 1024 * 1024 },
        (error, stdout) => {
          if (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code === 'ENOENT') {
              reject(
                new TokenError(
                  'NoToken',
                  `${command} is not on PATH; the buildkite token source needs the Buildkite agent.`,
                ),
              );
            } else {
              // The agent already retries its own API calls; its failure is worth one more try of ours.
              reject(
                new TransientError(
                  'TokenCommandFailed',
                  `${command} oidc request-token failed (exit ${error.code ?? 'signal'}).`,
                ),
              );
            }
            return;
          }
          try {
            resolvePromise(decodeToken(stdout, `${command} oidc request-token`));
          } catch (decodeError) {
            reject(decodeError);
          }
        },
      );
    });
}
