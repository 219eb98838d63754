// A policy document IAM would refuse (MalformedPolicyDocument) or the engine cannot evaluate. It carries the
// statement it is about so a loader can name the file, resource and statement the user has to fix.

export class PolicyDocumentError extends Error {
  /** Zero-based index of the offending statement, when the problem is inside one. */
  readonly statementIndex: number | undefined;

  constructor(message: string, statementIndex?: number) {
    super(message);
    this.name = 'PolicyDocumentError';
    this.statementIndex = statementIndex;
  }
}
