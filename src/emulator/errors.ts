// Wire-level errors of the two emulated services. Each carries exactly what the wire needs (code, HTTP status, and
// for STS the Sender/Receiver type) so handlers can throw and the server can serialise without a lookup table.

/** An STS Query-protocol error: serialised as `<ErrorResponse><Error><Type/><Code/><Message/></Error>…`. */
export class StsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'StsError';
    this.code = code;
    this.status = status;
  }

  get type(): 'Sender' | 'Receiver' {
    return this.status >= 500 ? 'Receiver' : 'Sender';
  }
}

/** A Cognito Identity JSON 1.1 error: serialised as `{"__type": code, "message": …}` with `x-amzn-ErrorType`. */
export class CognitoError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CognitoError';
    this.code = code;
    this.status = code === 'InternalErrorException' ? 500 : 400;
  }
}

/** A template or config file that cannot be loaded; raised at start-up, never over the wire. */
export class EmulatorConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulatorConfigError';
  }
}

/** STS `ValidationError` in AWS's "1 validation error detected" phrasing. */
export function stsValidationError(value: string | null, member: string, constraint: string): StsError {
  return new StsError('ValidationError', validationText(value, member, constraint));
}

function validationText(value: string | null, member: string, constraint: string): string {
  const shown = value === null ? 'null' : `'${value}'`;
  return `1 validation error detected: Value ${shown} at '${member}' failed to satisfy constraint: ${constraint}`;
}

/** Cognito `InvalidParameterException` in the same phrasing (Cognito uses the shared Coral validation text). */
export function cognitoValidationError(value: string | null, member: string, constraint: string): CognitoError {
  return new CognitoError('InvalidParameterException', validationText(value, member, constraint));
}
