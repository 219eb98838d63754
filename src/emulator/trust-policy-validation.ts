// Load-time check of a role's trust policy, as IAM's CreateRole would refuse it, with the location of the
// statement the user has to fix.
import { PolicyDocumentError, parseTrustPolicy } from '../policy';
import { EmulatorConfigError } from './errors';

/**
 * Throws `EmulatorConfigError` with IAM's `MalformedPolicyDocument` text when IAM would refuse the trust policy or
 * the emulator cannot evaluate it. `location` names where it came from (e.g. `template.yaml: DeployRole`).
 */
export function validateTrustPolicy(document: unknown, location: string): void {
  try {
    parseTrustPolicy(document);
  } catch (error) {
    if (!(error instanceof PolicyDocumentError)) throw error;
    const where = error.statementIndex === undefined ? '' : ` statement #${error.statementIndex + 1}`;
    throw new EmulatorConfigError(`${location}${where}: MalformedPolicyDocument: ${error.message}`);
  }
}
