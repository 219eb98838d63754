/**
 * Shared set-up for emulator tests: an in-process emulator plus real AWS SDK clients pointed at it.
 */
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { type RunningEmulator, type StartEmulatorOptions, startEmulator } from '../../../src/emulator';

export interface Harness {
  emulator: RunningEmulator;
  logs: string[];
}

/** Starts an emulator whose log lines are collected instead of printed. */
export async function startHarness(options: StartEmulatorOptions = {}): Promise<Harness> {
  const logs: string[] = [];
  const emulator = await startEmulator({ ...options, log: (line) => logs.push(line) });
  return { emulator, logs };
}

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A real STS client; without credentials it can still call the unsigned AssumeRoleWithWebIdentity. */
export function stsClient(url: string, credentials?: StaticCredentials): STSClient {
  return new STSClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: credentials ?? { accessKeyId: 'AKIDUNUSEDFORWEBID', secretAccessKey: 'unused' },
  });
}

/** A real IAM client signed with the given keys (an account root's from `accessKeys`, or a session's). */
export function iamClient(url: string, credentials: StaticCredentials): IAMClient {
  return new IAMClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials });
}

export function cognitoClient(url: string): CognitoIdentityClient {
  return new CognitoIdentityClient({
    endpoint: url,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIDUNUSEDFORCOGNITO', secretAccessKey: 'unused' },
  });
}

/** Runs a promise expected to fail and returns the SDK error (name = wire code mapping, message, HTTP status). */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number; code?: string }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number }; Code?: string };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode, code: e.Code };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
