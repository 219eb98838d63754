// Loads the IAM/Cognito resources of a CloudFormation template (YAML short-form tags or JSON) into the model, after
// the template has passed the loader's cfn-lint-style checks. Physical ids are computed as CloudFormation would name
// them, but deterministically, so reruns are stable. IAM's refusals carry the resource name and line.
import { readFileSync } from 'node:fs';
import { checkTemplate } from './cfn-checks';
import { isRecord, type SharedParameters, TemplateEvaluator, type TemplateSource } from './cfn-evaluator';
import { parseTemplate } from './cfn-parse';
import { MODELLED_TYPES } from './cfn-resource-types';
import { EmulatorConfigError } from './errors';
import type { IamModel, RoleTag } from './iam-model';

export type { SharedParameters, TemplateSource } from './cfn-evaluator';
export { parseTemplateText } from './cfn-parse';

export interface LoadedTemplate {
  /** Logical id → physical id (provider ARN, role ARN, policy ARN, identity pool id, principal-tag ref). */
  ids: Record<string, string>;
  /** What the emulator does not model: resources of other types (`Id (Type)`, no effect on verdicts) and pool login sources (`Pool.Property (…)`). */
  skipped: string[];
  /** Names of shared parameters this template declares (and therefore used). */
  usedSharedParameters: string[];
  /** Outputs whose condition holds, evaluated as CloudFormation would show them. */
  outputs: Record<string, unknown>;
}

type Loader = (ev: TemplateEvaluator, id: string) => string;

/** Runs a model call for one resource; IAM's refusal is prefixed with the file, line and resource. */
function asResource<T>(ev: TemplateEvaluator, id: string, action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (!(error instanceof EmulatorConfigError) || error.message.startsWith(ev.file)) throw error;
    throw ev.fail(['Resources', id], error.message);
  }
}

const loadProvider: Loader = (ev, id) => {
  ev.physicalId(id); // validates the Url with the property's location
  return asResource(ev, id, () =>
    ev.model.addOidcProvider({
      url: ev.stringProperty(id, 'Url') as string,
      clientIds: ev.stringListProperty(id, 'ClientIdList'),
      thumbprints: ev.stringListProperty(id, 'ThumbprintList'),
    }),
  ).arn;
};

function inlinePolicies(ev: TemplateEvaluator, id: string): Record<string, unknown> {
  const policies = ev.property(id, 'Policies') ?? [];
  const at = ['Resources', id, 'Properties', 'Policies'];
  if (!Array.isArray(policies)) throw ev.fail(at, 'must be a list of {PolicyName, PolicyDocument}');
  const out: Record<string, unknown> = {};
  policies.forEach((policy, i) => {
    if (!isRecord(policy) || typeof policy.PolicyName !== 'string' || policy.PolicyDocument === undefined) {
      throw ev.fail([...at, i], 'needs PolicyName and PolicyDocument');
    }
    out[policy.PolicyName] = policy.PolicyDocument;
  });
  return out;
}

/** `Tags` of a role: a list of `{Key, Value}`; scalar values are taken as text, as CloudFormation does. */
function roleTags(ev: TemplateEvaluator, id: string): RoleTag[] {
  const tags = ev.property(id, 'Tags') ?? [];
  const at = ['Resources', id, 'Properties', 'Tags'];
  if (!Array.isArray(tags)) throw ev.fail(at, 'must be a list of {Key, Value}');
  return tags.map((tag, i) => {
    const scalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
    if (!isRecord(tag) || !scalar(tag.Key) || !scalar(tag.Value)) throw ev.fail([...at, i], 'needs Key and Value');
    return { Key: String(tag.Key), Value: String(tag.Value) };
  });
}

const loadRole: Loader = (ev, id) => {
  const name = ev.roleName(id);
  const maxSession = ev.property(id, 'MaxSessionDuration');
  const input = {
    name,
    path: ev.stringProperty(id, 'Path'),
    assumeRolePolicyDocument: ev.property(id, 'AssumeRolePolicyDocument'),
    maxSessionDuration: maxSession === undefined ? undefined : Number(maxSession),
    inlinePolicies: inlinePolicies(ev, id),
    permissionsBoundary: ev.stringProperty(id, 'PermissionsBoundary'),
    tags: roleTags(ev, id),
  };
  return asResource(ev, id, () => ev.model.addRole(input)).arn;
};

/** Customer-managed policy ARNs are attached once every policy of the template exists (they may refer both ways). */
function attachManagedPolicyArns(ev: TemplateEvaluator, id: string): void {
  const arns = ev.stringListProperty(id, 'ManagedPolicyArns');
  const name = ev.roleName(id);
  for (const arn of arns) asResource(ev, id, () => ev.model.attachRolePolicy(name, arn));
}

const loadManagedPolicy: Loader = (ev, id) => {
  const policy = asResource(ev, id, () =>
    ev.model.addManagedPolicy({
      name: ev.stringProperty(id, 'ManagedPolicyName') ?? ev.generatedName(id, 128),
      path: ev.stringProperty(id, 'Path'),
      document: ev.property(id, 'PolicyDocument'),
    }),
  );
  for (const role of ev.stringListProperty(id, 'Roles')) {
    asResource(ev, id, () => ev.model.attachRolePolicy(role, policy.arn));
  }
  return policy.arn;
};

const loadPolicy: Loader = (ev, id) => {
  const name = ev.stringProperty(id, 'PolicyName') as string;
  const document = ev.property(id, 'PolicyDocument');
  for (const role of ev.stringListProperty(id, 'Roles')) {
    asResource(ev, id, () => ev.model.putRolePolicy(role, name, document));
  }
  return ev.physicalId(id);
};

const loadRolePolicy: Loader = (ev, id) => {
  const role = ev.stringProperty(id, 'RoleName') as string;
  const name = ev.stringProperty(id, 'PolicyName') as string;
  const document = ev.property(id, 'PolicyDocument') ?? { Statement: [] };
  asResource(ev, id, () => ev.model.putRolePolicy(role, name, document));
  return ev.physicalId(id);
};

const loadIdentityPool: Loader = (ev, id) => {
  const poolId = ev.physicalId(id);
  asResource(ev, id, () =>
    ev.model.addIdentityPool({
      id: poolId,
      name: ev.stringProperty(id, 'IdentityPoolName') ?? id,
      allowClassicFlow: ev.booleanProperty(id, 'AllowClassicFlow'),
      allowUnauthenticatedIdentities: ev.booleanProperty(id, 'AllowUnauthenticatedIdentities') ?? false,
      openIdConnectProviderArns: ev.stringListProperty(id, 'OpenIdConnectProviderARNs'),
    }),
  );
  return poolId;
};

const loadPrincipalTag: Loader = (ev, id) => {
  const principalTags = ev.property(id, 'PrincipalTags') ?? {};
  if (!isRecord(principalTags) || Object.values(principalTags).some((v) => typeof v !== 'string')) {
    throw ev.fail(['Resources', id, 'Properties', 'PrincipalTags'], 'must map tag keys to claim names');
  }
  const identityPoolId = ev.stringProperty(id, 'IdentityPoolId') as string;
  const providerName = ev.stringProperty(id, 'IdentityProviderName') as string;
  asResource(ev, id, () =>
    ev.model.setPrincipalTagMap({
      identityPoolId,
      providerName,
      useDefaults: ev.booleanProperty(id, 'UseDefaults') ?? false,
      principalTags: principalTags as Record<string, string>,
    }),
  );
  return ev.physicalId(id);
};

/** In dependency order, as CloudFormation would create them. */
const LOADERS: Array<[string, Loader]> = [
  ['AWS::IAM::OIDCProvider', loadProvider],
  ['AWS::IAM::Role', loadRole],
  ['AWS::IAM::ManagedPolicy', loadManagedPolicy],
  ['AWS::IAM::Policy', loadPolicy],
  ['AWS::IAM::RolePolicy', loadRolePolicy],
  ['AWS::Cognito::IdentityPool', loadIdentityPool],
  ['AWS::Cognito::IdentityPoolPrincipalTag', loadPrincipalTag],
];

/** Checks the template, then creates its modelled resources in the model and evaluates its outputs. */
export function loadTemplate(
  model: IamModel,
  template: Record<string, unknown>,
  source: TemplateSource,
  shared: SharedParameters = {},
  lineOf: (path: ReadonlyArray<string | number>) => number | undefined = () => undefined,
): LoadedTemplate {
  // A stack lives in one account: every object it creates, and its AWS::AccountId, are of that account.
  const account = source.accountId === undefined ? model : model.inAccount(source.accountId);
  const ev = new TemplateEvaluator({ template, lineOf }, source, account, shared);
  checkTemplate(ev, template);
  ev.evaluateConditions();
  const active = Object.keys(ev.resources).filter((id) => ev.isActive(ev.resource(id).Condition));
  const ofType = (type: string) => active.filter((id) => ev.resource(id).Type === type);
  // Every property of a modelled resource is evaluated, used or not, so no construct in it goes unchecked.
  for (const id of active.filter((id) => MODELLED_TYPES[ev.resource(id).Type])) {
    for (const property of Object.keys(ev.resource(id).Properties ?? {})) ev.property(id, property);
  }
  const ids: Record<string, string> = {};
  for (const [type, load] of LOADERS) for (const id of ofType(type)) ids[id] = load(ev, id);
  for (const id of ofType('AWS::IAM::Role')) attachManagedPolicyArns(ev, id);
  const skipped = active
    .filter((id) => !MODELLED_TYPES[ev.resource(id).Type])
    .map((id) => `${id} (${ev.resource(id).Type})`);
  // Pool login sources other than OIDC providers are not emulated: GetId refuses their logins (fails closed).
  for (const id of ofType('AWS::Cognito::IdentityPool')) {
    for (const property of ['CognitoIdentityProviders', 'SupportedLoginProviders', 'SamlProviderARNs']) {
      const value = ev.property(id, property);
      if (typeof value === 'object' && value !== null && Object.keys(value).length > 0) {
        skipped.push(`${id}.${property} (not emulated: GetId refuses logins from these providers)`);
      }
    }
  }
  return { ids, skipped, usedSharedParameters: ev.usedSharedParameters, outputs: evaluateOutputs(ev, template) };
}

/** Outputs whose condition holds, with their exports evaluated too (an error there fails the deployment). */
function evaluateOutputs(ev: TemplateEvaluator, template: Record<string, unknown>): Record<string, unknown> {
  const outputs: Record<string, unknown> = {};
  const declared = isRecord(template.Outputs) ? template.Outputs : {};
  for (const [name, output] of Object.entries(declared)) {
    if (!isRecord(output) || !ev.isActive(output.Condition)) continue;
    outputs[name] = ev.resolveIn(output.Value, ['Outputs', name, 'Value']);
    if (output.Export !== undefined) ev.resolveIn(output.Export, ['Outputs', name, 'Export']);
  }
  return outputs;
}

export function loadTemplateFile(
  model: IamModel,
  source: TemplateSource,
  shared: SharedParameters = {},
): LoadedTemplate {
  let text: string;
  try {
    text = readFileSync(source.path, 'utf8');
  } catch (error) {
    throw new EmulatorConfigError(`cannot read template ${source.path}: ${(error as Error).message}`);
  }
  const parsed = parseTemplate(text, source.path);
  return loadTemplate(model, parsed.template, source, shared, parsed.lineOf);
}
