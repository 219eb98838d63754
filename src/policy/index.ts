// The IAM policy language: parsing, variables, operators, evaluation. One engine for the emulator, the denial
// explanation and the doctor.
export {
  claimKeysOf,
  isEvaluableKey,
  persistsInSession,
  SHARED_OIDC_PROVIDERS,
  webIdentityConditionKeys,
} from './condition-keys';
export type { ConditionVerdict, ParsedCondition } from './conditions';
export { ConditionContext } from './context';
export type { Policy, PolicyStatement, PolicyVersion, PrincipalSpec } from './document';
export { parsePolicy } from './document';
export { PolicyDocumentError } from './errors';
export type {
  RequiredAction,
  StatementStage,
  StatementVerdict,
  TrustDecision,
  TrustPrincipal,
  TrustRequest,
} from './evaluate';
export { describeCondition, evaluateTrustPolicy } from './evaluate';
export { parseOperator } from './operators';
export { conditionFix, globMatches, smallestChange } from './suggest';
export { parseTrustPolicy } from './trust-policy';
