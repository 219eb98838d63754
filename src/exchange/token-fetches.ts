import type { Logger } from '../log';
import type { ProxySettings } from '../net/proxy';
import { oneLine } from '../printable';
import type { TokenSourceSpec } from '../settings/types';
import { createTokenSource, type TokenSource } from '../token';
import { startTokenFetch, type Token } from '../token/token';

export type TokenFetch = ReturnType<typeof startTokenFetch>;

/**
 * CI tokens for every role of a run: the first attempt of each role shares one fetch per audience (a run with five
 * roles and one audience asks the CI once); a retry fetches afresh, since the token it had may have expired.
 */
export interface TokenFetches {
  fetch(audience: string, attempt: number): TokenFetch;
}

function describeToken(token: Token): string {
  const { iss, sub } = token.claims;
  return `Got an ID token from ${token.origin} (iss ${oneLine(String(iss))}, sub ${oneLine(String(sub))})`;
}

export function tokenFetches(
  spec: TokenSourceSpec,
  context: { readonly timeoutMs: number; readonly proxy?: ProxySettings },
  log: Logger,
): TokenFetches {
  const sources = new Map<string, TokenSource>();
  const shared = new Map<string, TokenFetch>();
  const start = (audience: string): TokenFetch => {
    let source = sources.get(audience);
    if (!source) {
      source = createTokenSource(spec, { audience, ...context, debug: (line) => log.debug(line) });
      sources.set(audience, source);
    }
    const fetch = startTokenFetch(source);
    const token = fetch.token.then((value) => {
      log.info(describeToken(value));
      return value;
    });
    // Awaited by every role that shares it, but only once the STS client is loaded: not an unhandled rejection.
    token.catch(() => undefined);
    return { sent: fetch.sent, token };
  };
  return {
    fetch(audience, attempt) {
      if (attempt > 1) return start(audience);
      let fetch = shared.get(audience);
      if (!fetch) {
        fetch = start(audience);
        shared.set(audience, fetch);
      }
      return fetch;
    },
  };
}
