// Load-time and UpdateAssumeRolePolicy check of a role's trust policy, as IAM's CreateRole would refuse it, with
// the location of the statement the user has to fix.
import { PolicyDocumentError, parseTrustPolicy } from '../policy';
import { EmulatorConfigError } from './errors';

/** IAM's default quota for a role trust policy (ACLSizePerRole), in characters; white space is not counted. */
export const TRUST_POLICY_QUOTA = 2048;

/** What IAM's MalformedPolicyDocument would say about the document, or undefined when IAM accepts it. */
export function trustPolicyProblem(document: unknown): { message: string; statementIndex?: number } | undefined {
  try {
    parseTrustPolicy(document);
    return undefined;
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    return { message: error.message, statementIndex: error.statementIndex };
  }
}

/**
 * The size IAM holds against the ACLSizePerRole quota: the document's characters without white space ("IAM doesn't
 * count white space when calculating the size of a policy", IAM quotas). `text` is the document as submitted.
 */
export function trustPolicySize(text: string): number {
  return text.replace(/\s/g, '').length;
}

/**
 * Throws `EmulatorConfigError` with IAM's `MalformedPolicyDocument` text when IAM would refuse the trust policy or
 * the emulator cannot evaluate it. `location` names where it came from (e.g. `template.yaml: DeployRole`).
 */
export function validateTrustPolicy(document: unknown, location: string): void {
  const problem = trustPolicyProblem(document);
  if (!problem) return;
  const where = problem.statementIndex === undefined ? '' : ` statement #${problem.statementIndex + 1}`;
  throw new EmulatorConfigError(`${location}${where}: MalformedPolicyDocument: ${problem.message}`);
}
