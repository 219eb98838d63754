// Loads the IAM/Cognito resources of a CloudFormation template (YAML short-form tags or JSON) into the model.
// Physical ids are computed as CloudFormation would name them, but deterministically, so reruns are stable.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import YAML, { type CollectionTag, type ScalarTag, type YAMLMap, type YAMLSeq } from 'yaml';
import { EmulatorConfigError } from './errors';
import { IamModel, issuerProviderName } from './iam-model';
import { deterministicUuid } from './identifiers';

export interface TemplateSource {
  path: string;
  /** Parameter overrides (CloudFormation `ParameterKey=…,ParameterValue=…`); each must be declared by the template. */
  parameters?: Record<string, string>;
}

/** Overrides shared by several templates (CLI `--parameter`): applied where declared, ignored elsewhere. */
export type SharedParameters = Record<string, string>;

export interface LoadedTemplate {
  /** Logical id → physical id (provider ARN, role ARN, identity pool id, principal-tag ref). */
  ids: Record<string, string>;
  /** Resources the emulator does not model (they cannot affect STS/Cognito decisions). */
  skipped: string[];
  /** Names of shared parameters this template declares (and therefore used). */
  usedSharedParameters: string[];
}

const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'Select',
  'Split',
  'Join',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Condition',
  'Base64',
  'FindInMap',
  'ImportValue',
  'GetAZs',
];

function intrinsicKey(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

// Each short-form tag may tag a scalar, a sequence or a mapping; all become the long JSON form.
const CLOUDFORMATION_TAGS: Array<ScalarTag | CollectionTag> = INTRINSICS.flatMap((name) => {
  const key = intrinsicKey(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
  };
  const collection = (kind: 'seq' | 'map'): CollectionTag => ({
    tag: `!${name}`,
    collection: kind,
    resolve: (value: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: value.toJSON() }),
  });
  return [scalar, collection('seq'), collection('map')];
});

export function parseTemplateText(text: string, fileName: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed =
      extname(fileName).toLowerCase() === '.json'
        ? JSON.parse(text)
        : YAML.parse(text, { customTags: CLOUDFORMATION_TAGS });
  } catch (error) {
    throw new EmulatorConfigError(`${fileName}: cannot parse template: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EmulatorConfigError(`${fileName}: a template must be a mapping`);
  }
  return parsed as Record<string, unknown>;
}

const NO_VALUE = Symbol('AWS::NoValue');

type Json = unknown;

const SUPPORTED_TYPES = new Set([
  'AWS::IAM::OIDCProvider',
  'AWS::IAM::Role',
  'AWS::Cognito::IdentityPool',
  'AWS::Cognito::IdentityPoolPrincipalTag',
]);

interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Resolves intrinsic functions against parameters, pseudo parameters, conditions and resource physical ids. */
class TemplateEvaluator {
  private readonly parameters = new Map<string, Json>();
  private readonly conditions = new Map<string, boolean>();
  private readonly physicalIds = new Map<string, string>();
  private readonly resolving = new Set<string>();
  private readonly resources: Record<string, Resource>;
  private readonly file: string;
  private readonly stackName: string;
  private readonly model: IamModel;

  readonly usedSharedParameters: string[];

  constructor(template: Record<string, unknown>, source: TemplateSource, model: IamModel, shared: SharedParameters) {
    this.file = source.path;
    this.model = model;
    this.stackName = basename(source.path, extname(source.path)).replace(/[^A-Za-z0-9-]/g, '-');
    if (!isRecord(template.Resources)) throw this.error('the template has no Resources section');
    this.resources = template.Resources as Record<string, Resource>;
    const declared = isRecord(template.Parameters) ? template.Parameters : {};
    this.usedSharedParameters = Object.keys(shared).filter((name) => name in declared);
    const sharedDeclared = Object.fromEntries(this.usedSharedParameters.map((name) => [name, shared[name] as string]));
    this.bindParameters(declared, { ...sharedDeclared, ...source.parameters });
    const conditions = isRecord(template.Conditions) ? template.Conditions : {};
    for (const name of Object.keys(conditions)) this.condition(name, conditions);
  }

  private error(message: string): EmulatorConfigError {
    return new EmulatorConfigError(`${this.file}: ${message}`);
  }

  private bindParameters(declared: Record<string, unknown>, overrides: Record<string, string>): void {
    for (const name of Object.keys(overrides)) {
      if (!(name in declared)) throw this.error(`parameter override ${name} is not declared in Parameters`);
    }
    for (const [name, spec] of Object.entries(declared)) {
      const definition = isRecord(spec) ? spec : {};
      const raw = overrides[name] ?? (definition.Default === undefined ? undefined : String(definition.Default));
      if (raw === undefined) throw this.error(`parameter ${name} has no Default and no override`);
      if (Array.isArray(definition.AllowedValues) && !definition.AllowedValues.map(String).includes(raw)) {
        throw this.error(`parameter ${name} value '${raw}' is not one of AllowedValues`);
      }
      if (
        typeof definition.AllowedPattern === 'string' &&
        !new RegExp(`^(?:${definition.AllowedPattern})$`).test(raw)
      ) {
        throw this.error(`parameter ${name} value '${raw}' does not match AllowedPattern ${definition.AllowedPattern}`);
      }
      const isList = typeof definition.Type === 'string' && definition.Type.startsWith('CommaDelimitedList');
      this.parameters.set(name, isList ? raw.split(',').map((s) => s.trim()) : raw);
    }
    this.parameters.set('AWS::AccountId', this.model.accountId);
    this.parameters.set('AWS::Region', this.model.region);
    this.parameters.set('AWS::Partition', 'aws');
    this.parameters.set('AWS::URLSuffix', 'amazonaws.com');
    this.parameters.set('AWS::StackName', this.stackName);
    this.parameters.set(
      'AWS::StackId',
      `arn:aws:cloudformation:${this.model.region}:${this.model.accountId}:stack/${this.stackName}/${deterministicUuid(`stack/${this.stackName}`)}`,
    );
  }

  private condition(name: string, all: Record<string, unknown>): boolean {
    const known = this.conditions.get(name);
    if (known !== undefined) return known;
    if (!(name in all)) throw this.error(`condition ${name} is not declared`);
    if (this.resolving.has(`condition:${name}`)) throw this.error(`condition ${name} refers to itself`);
    this.resolving.add(`condition:${name}`);
    const value = this.resolve(all[name], (n) => this.condition(n, all));
    this.resolving.delete(`condition:${name}`);
    if (typeof value !== 'boolean') throw this.error(`condition ${name} does not evaluate to a boolean`);
    this.conditions.set(name, value);
    return value;
  }

  isActive(logicalId: string): boolean {
    const name = this.resources[logicalId]?.Condition;
    return name === undefined || (this.conditions.get(name) ?? false);
  }

  logicalIds(): string[] {
    return Object.keys(this.resources);
  }

  resource(logicalId: string): Resource {
    const resource = this.resources[logicalId];
    if (!isRecord(resource) || typeof resource.Type !== 'string') throw this.error(`resource ${logicalId} has no Type`);
    return resource;
  }

  property(logicalId: string, name: string): Json {
    const value = this.resolve(this.resource(logicalId).Properties?.[name]);
    return value === NO_VALUE ? undefined : value;
  }

  stringProperty(logicalId: string, name: string): string | undefined {
    const value = this.property(logicalId, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.error(`${logicalId}.${name} must be a string`);
    return value;
  }

  /** The value `!Ref <logicalId>` yields, computed without creating anything. */
  physicalId(logicalId: string): string {
    const known = this.physicalIds.get(logicalId);
    if (known !== undefined) return known;
    if (this.resolving.has(logicalId)) throw this.error(`resource ${logicalId} refers to itself (circular reference)`);
    this.resolving.add(logicalId);
    const resource = this.resource(logicalId);
    let id: string;
    switch (resource.Type) {
      case 'AWS::IAM::OIDCProvider': {
        const url = this.stringProperty(logicalId, 'Url');
        if (!url) throw this.error(`${logicalId}: AWS::IAM::OIDCProvider needs a Url`);
        id = IamModel.oidcProviderArn(this.model.accountId, this.providerName(logicalId, url));
        break;
      }
      case 'AWS::IAM::Role':
        id = IamModel.roleArn(
          this.model.accountId,
          this.stringProperty(logicalId, 'Path') ?? '/',
          this.roleName(logicalId),
        );
        break;
      case 'AWS::Cognito::IdentityPool':
        id = `${this.model.region}:${deterministicUuid(`identity-pool/${this.model.accountId}/${this.stackName}/${logicalId}`)}`;
        break;
      case 'AWS::Cognito::IdentityPoolPrincipalTag':
        id = `${this.stringProperty(logicalId, 'IdentityPoolId')}|${this.stringProperty(logicalId, 'IdentityProviderName')}`;
        break;
      default:
        id = `${this.stackName}-${logicalId}`;
    }
    this.resolving.delete(logicalId);
    this.physicalIds.set(logicalId, id);
    return id;
  }

  private providerName(logicalId: string, url: string): string {
    try {
      return issuerProviderName(url);
    } catch (error) {
      throw this.error(`${logicalId}: ${(error as Error).message}`);
    }
  }

  /** CloudFormation generates `<stack>-<logicalId>-<random>`; the emulator drops the random part for stability. */
  roleName(logicalId: string): string {
    return this.stringProperty(logicalId, 'RoleName') ?? `${this.stackName}-${logicalId}`.slice(0, 64);
  }

  private getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const type = resource.Type;
    if (type === 'AWS::IAM::OIDCProvider' && attribute === 'Arn') return this.physicalId(logicalId);
    if (type === 'AWS::IAM::Role' && attribute === 'Arn') return this.physicalId(logicalId);
    if (type === 'AWS::IAM::Role' && attribute === 'RoleId') return IamModel.roleId(this.physicalId(logicalId));
    if (type === 'AWS::Cognito::IdentityPool' && attribute === 'Name') {
      return this.stringProperty(logicalId, 'IdentityPoolName') ?? logicalId;
    }
    if (type === 'AWS::Cognito::IdentityPool' && attribute === 'Id') return this.physicalId(logicalId);
    throw this.error(`!GetAtt ${logicalId}.${attribute} is not supported by the emulator`);
  }

  private ref(name: string): Json {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (this.parameters.has(name)) return this.parameters.get(name);
    if (name in this.resources) return this.physicalId(name);
    throw this.error(`!Ref ${name}: no such parameter or resource`);
  }

  private sub(template: string, variables: Record<string, Json>): string {
    return template.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      if (name in variables) return String(variables[name]);
      if (name.includes('.') && !this.parameters.has(name)) {
        const dot = name.indexOf('.');
        return this.getAtt(name.slice(0, dot), name.slice(dot + 1));
      }
      const value = this.ref(name);
      if (typeof value !== 'string') throw this.error(`!Sub variable ${name} is not a string`);
      return value;
    });
  }

  resolve(value: Json, conditionLookup?: (name: string) => boolean): Json {
    if (Array.isArray(value)) {
      return value.map((v) => this.resolve(v, conditionLookup)).filter((v) => v !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const fn = keys[0] as string;
      const arg = value[fn];
      const r = (v: Json) => this.resolve(v, conditionLookup);
      switch (fn) {
        case 'Ref':
          return this.ref(String(arg));
        case 'Fn::Sub': {
          if (typeof arg === 'string') return this.sub(arg, {});
          if (Array.isArray(arg) && typeof arg[0] === 'string' && (arg[1] === undefined || isRecord(arg[1]))) {
            const vars = Object.fromEntries(
              Object.entries((arg[1] ?? {}) as Record<string, Json>).map(([k, v]) => [k, r(v)]),
            );
            return this.sub(arg[0], vars);
          }
          throw this.error('!Sub takes a string or [string, {variables}]');
        }
        case 'Fn::GetAtt': {
          const parts =
            typeof arg === 'string' ? arg.split('.') : Array.isArray(arg) ? arg.map((a) => String(r(a))) : [];
          if (parts.length < 2) throw this.error('!GetAtt takes LogicalId.Attribute');
          return this.getAtt(parts[0] as string, parts.slice(1).join('.'));
        }
        case 'Fn::Select': {
          if (!Array.isArray(arg) || arg.length !== 2) throw this.error('!Select takes [index, list]');
          const index = Number(r(arg[0]));
          const list = r(arg[1]);
          if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
            throw this.error(`!Select index ${index} is out of range`);
          }
          return list[index];
        }
        case 'Fn::Split': {
          if (!Array.isArray(arg) || arg.length !== 2) throw this.error('!Split takes [delimiter, string]');
          const source = r(arg[1]);
          if (typeof arg[0] !== 'string' || typeof source !== 'string')
            throw this.error('!Split takes [delimiter, string]');
          return source.split(arg[0]);
        }
        case 'Fn::Join': {
          if (!Array.isArray(arg) || arg.length !== 2 || typeof arg[0] !== 'string')
            throw this.error('!Join takes [delimiter, list]');
          const list = r(arg[1]);
          if (!Array.isArray(list)) throw this.error('!Join takes [delimiter, list]');
          return list.map(String).join(arg[0]);
        }
        case 'Fn::Equals': {
          if (!Array.isArray(arg) || arg.length !== 2) throw this.error('!Equals takes [a, b]');
          return JSON.stringify(r(arg[0])) === JSON.stringify(r(arg[1]));
        }
        case 'Fn::Not':
          return !(Array.isArray(arg) ? r(arg[0]) : r(arg));
        case 'Fn::And':
          return Array.isArray(arg) && arg.every((a) => r(a) === true);
        case 'Fn::Or':
          return Array.isArray(arg) && arg.some((a) => r(a) === true);
        case 'Condition':
          return (conditionLookup ?? ((n: string) => this.conditions.get(n) ?? false))(String(arg));
        case 'Fn::If': {
          if (!Array.isArray(arg) || arg.length !== 3) throw this.error('!If takes [condition, then, else]');
          const name = String(arg[0]);
          const holds = conditionLookup ? conditionLookup(name) : this.conditions.get(name);
          if (holds === undefined) throw this.error(`!If refers to unknown condition ${name}`);
          return r(holds ? arg[1] : arg[2]);
        }
        case 'Fn::Base64':
        case 'Fn::FindInMap':
        case 'Fn::ImportValue':
        case 'Fn::GetAZs':
          throw this.error(`${fn} is not supported by the emulator`);
      }
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolve(v, conditionLookup);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }
}

function stringList(value: Json, what: string, file: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new EmulatorConfigError(`${file}: ${what} must be a list of strings`);
  }
  return value as string[];
}

function booleanProperty(value: Json, what: string, file: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new EmulatorConfigError(`${file}: ${what} must be a boolean`);
}

/** Creates the template's supported resources in the model (providers, then roles, pools, tag maps). */
export function loadTemplate(
  model: IamModel,
  template: Record<string, unknown>,
  source: TemplateSource,
  shared: SharedParameters = {},
): LoadedTemplate {
  const ev = new TemplateEvaluator(template, source, model, shared);
  const file = source.path;
  const ids: Record<string, string> = {};
  const skipped: string[] = [];
  const byType = (type: string) => ev.logicalIds().filter((id) => ev.isActive(id) && ev.resource(id).Type === type);

  for (const id of ev.logicalIds()) {
    const type = ev.resource(id).Type;
    if (ev.isActive(id) && !SUPPORTED_TYPES.has(type)) skipped.push(`${id} (${type})`);
  }
  for (const id of byType('AWS::IAM::OIDCProvider')) {
    const provider = model.addOidcProvider({
      url: ev.stringProperty(id, 'Url') as string,
      clientIds: stringList(ev.property(id, 'ClientIdList'), `${id}.ClientIdList`, file),
    });
    ids[id] = provider.arn;
  }
  for (const id of byType('AWS::IAM::Role')) {
    const maxSession = ev.property(id, 'MaxSessionDuration');
    const role = model.addRole({
      name: ev.roleName(id),
      path: ev.stringProperty(id, 'Path'),
      assumeRolePolicyDocument: ev.property(id, 'AssumeRolePolicyDocument'),
      maxSessionDuration: maxSession === undefined ? undefined : Number(maxSession),
    });
    ids[id] = role.arn;
  }
  for (const id of byType('AWS::Cognito::IdentityPool')) {
    const poolId = ev.physicalId(id);
    model.addIdentityPool({
      id: poolId,
      name: ev.stringProperty(id, 'IdentityPoolName') ?? id,
      allowClassicFlow: booleanProperty(ev.property(id, 'AllowClassicFlow'), `${id}.AllowClassicFlow`, file),
      allowUnauthenticatedIdentities:
        booleanProperty(
          ev.property(id, 'AllowUnauthenticatedIdentities'),
          `${id}.AllowUnauthenticatedIdentities`,
          file,
        ) ?? false,
      openIdConnectProviderArns: stringList(
        ev.property(id, 'OpenIdConnectProviderARNs'),
        `${id}.OpenIdConnectProviderARNs`,
        file,
      ),
    });
    ids[id] = poolId;
  }
  for (const id of byType('AWS::Cognito::IdentityPoolPrincipalTag')) {
    const principalTags = ev.property(id, 'PrincipalTags') ?? {};
    if (!isRecord(principalTags) || Object.values(principalTags).some((v) => typeof v !== 'string')) {
      throw new EmulatorConfigError(`${file}: ${id}.PrincipalTags must map tag keys to claim names`);
    }
    const identityPoolId = ev.stringProperty(id, 'IdentityPoolId');
    const providerName = ev.stringProperty(id, 'IdentityProviderName');
    if (!identityPoolId || !providerName) {
      throw new EmulatorConfigError(`${file}: ${id} needs IdentityPoolId and IdentityProviderName`);
    }
    model.setPrincipalTagMap({
      identityPoolId,
      providerName,
      useDefaults: booleanProperty(ev.property(id, 'UseDefaults'), `${id}.UseDefaults`, file) ?? false,
      principalTags: principalTags as Record<string, string>,
    });
    ids[id] = ev.physicalId(id);
  }
  return { ids, skipped, usedSharedParameters: ev.usedSharedParameters };
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
  return loadTemplate(model, parseTemplateText(text, source.path), source, shared);
}
