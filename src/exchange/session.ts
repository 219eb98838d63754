/** Temporary (or, when exported as given, long-term) AWS credentials. Every field but `expiration` is secret. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** What a successful exchange yields; sinks deliver it. */
export interface Session {
  readonly credentials: AwsCredentials;
  readonly accountId: string;
  /** The assumed-role (or caller) ARN. */
  readonly arn: string;
  /** Cognito identity id, in the Cognito flow. */
  readonly identityId?: string;
  /** Principal tags the Cognito token carried (not secret). */
  readonly principalTags?: Readonly<Record<string, string>>;
  /** True when use-existing-credentials kept the credentials already in the environment. */
  readonly reused?: boolean;
}

/** `arn:aws:sts::123456789012:assumed-role/r/s` → `123456789012`. */
export function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}
