import type { ProxySettings } from '../net/proxy';
import type { TokenSourceSpec } from '../settings/types';
import { azureDevOpsTokenSource } from './azure-devops';
import { buildkiteTokenSource } from './command';
import { endpointTokenSource } from './endpoint';
import { entraTokenSource } from './entra';
import { fileTokenSource } from './file';
import { decodeToken, type TokenSource } from './token';

export interface TokenSourceContext {
  readonly audience: string;
  readonly timeoutMs: number;
  readonly proxy?: ProxySettings;
  /** Under --debug: one line per request. */
  readonly debug?: (line: string) => void;
}

/** Builds the token source a run asked for. Each call of the result yields a fresh token where the CI can mint one. */
export function createTokenSource(spec: TokenSourceSpec, context: TokenSourceContext): TokenSource {
  switch (spec.kind) {
    case 'github':
    case 'jenkins':
      return endpointTokenSource({
        url: spec.url,
        requestToken: spec.requestToken,
        audience: context.audience,
        name: spec.kind === 'github' ? 'GitHub' : 'Jenkins',
        timeoutMs: context.timeoutMs,
        ...(context.proxy ? { proxy: context.proxy } : {}),
        ...(context.debug ? { debug: context.debug } : {}),
      });
    case 'file':
      return fileTokenSource(spec.path, spec.allowSymlink);
    case 'env':
      return async () => decodeToken(spec.value, `environment variable ${spec.variable}`);
    case 'signed-in':
      return async () => decodeToken(spec.value, `sign-in with ${spec.provider}`);
    case 'buildkite':
      return buildkiteTokenSource(spec.command, context.audience, context.timeoutMs);
    case 'azure-devops':
    case 'entra': {
      const options = { timeoutMs: context.timeoutMs, ...(context.proxy ? { proxy: context.proxy } : {}) };
      return spec.kind === 'azure-devops' ? azureDevOpsTokenSource(spec, options) : entraTokenSource(spec, options);
    }
  }
}

export type { Token, TokenSource } from './token';
