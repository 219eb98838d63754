// Resolves CloudFormation intrinsic functions against parameters, pseudo parameters, mappings, conditions and the
// physical ids of resources. Every construct CloudFormation accepts is either evaluated here or refused with a
// message naming the construct and the resource; nothing is passed through unevaluated.
import { basename, extname } from 'node:path';
import type { ParsedTemplate } from './cfn-parse';
import { knownAttributes } from './cfn-resource-types';
import { EmulatorConfigError } from './errors';
import { IamModel, issuerProviderName } from './iam-model';
import { deterministicUniqueId, deterministicUuid } from './identifiers';

export interface TemplateSource {
  path: string;
  /** Parameter overrides (CloudFormation `ParameterKey=…,ParameterValue=…`); each must be declared by the template. */
  parameters?: Record<string, string>;
  /** The account the template is deployed to (its `AWS::AccountId`); default: the emulator's account. */
  accountId?: string;
}

/** Overrides shared by several templates (CLI `--parameter`): applied where declared, ignored elsewhere. */
export type SharedParameters = Record<string, string>;

export const NO_VALUE = Symbol('AWS::NoValue');

export type Json = unknown;
export type Path = ReadonlyArray<string | number>;

export interface Resource {
  Type: string;
  Properties?: Record<string, Json>;
  Condition?: string;
  DependsOn?: unknown;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition']);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `${Name}` / `${Resource.Attr}` references of an `Fn::Sub` string (`${!Literal}` excluded). */
export function subReferences(template: string): string[] {
  const names: string[] = [];
  for (const match of template.matchAll(/\$\{([^}]*)\}/g)) {
    const inner = match[1] as string;
    if (!inner.startsWith('!')) names.push(inner.trim());
  }
  return names;
}

export class TemplateEvaluator {
  private readonly parameters = new Map<string, Json>();
  private readonly conditionValues = new Map<string, boolean>();
  private readonly physicalIds = new Map<string, string>();
  private readonly resolving = new Set<string>();
  readonly resources: Record<string, Resource>;
  readonly conditions: Record<string, unknown>;
  readonly mappings: Record<string, unknown>;
  readonly file: string;
  readonly stackName: string;
  readonly model: IamModel;
  readonly usedSharedParameters: string[];
  private readonly parsed: ParsedTemplate;

  constructor(parsed: ParsedTemplate, source: TemplateSource, model: IamModel, shared: SharedParameters) {
    const template = parsed.template;
    this.parsed = parsed;
    this.file = source.path;
    this.model = model;
    this.stackName = basename(source.path, extname(source.path)).replace(/[^A-Za-z0-9-]/g, '-');
    if (!isRecord(template.Resources)) throw this.fail([], 'the template has no Resources section');
    this.resources = template.Resources as Record<string, Resource>;
    this.conditions = isRecord(template.Conditions) ? template.Conditions : {};
    this.mappings = isRecord(template.Mappings) ? template.Mappings : {};
    const declared = isRecord(template.Parameters) ? template.Parameters : {};
    this.usedSharedParameters = Object.keys(shared).filter((name) => name in declared);
    const sharedDeclared = Object.fromEntries(this.usedSharedParameters.map((name) => [name, shared[name] as string]));
    this.bindParameters(declared, { ...sharedDeclared, ...source.parameters });
  }

  /** Evaluates every declared condition (after the template has been checked). */
  evaluateConditions(): void {
    for (const name of Object.keys(this.conditions)) this.condition(name);
  }

  /** An error naming the file, line, and resource/property (or section entry) at `path`. */
  fail(path: Path, message: string): EmulatorConfigError {
    const line = path.length > 0 ? this.parsed.lineOf(path) : undefined;
    return new EmulatorConfigError(`${this.file}${line ? `:${line}` : ''}: ${this.describe(path)}${message}`);
  }

  private describe(path: Path): string {
    const [section, name, sub, ...rest] = path;
    if (section === 'Resources' && typeof name === 'string') {
      const type = this.resources[name]?.Type;
      const where = `resource ${name}${typeof type === 'string' ? ` (${type})` : ''}`;
      if (sub === 'Properties' && rest.length > 0) return `${where} property ${rest.join('.')}: `;
      return sub !== undefined && sub !== 'Properties' ? `${where} ${sub}: ` : `${where}: `;
    }
    if (section === 'Outputs' && name !== undefined) return `output ${name}: `;
    if (section === 'Conditions' && name !== undefined) return `condition ${name}: `;
    if (section === 'Parameters' && name !== undefined) return `parameter ${name}: `;
    return section === undefined ? '' : `${section}: `;
  }

  private bindParameters(declared: Record<string, unknown>, overrides: Record<string, string>): void {
    for (const name of Object.keys(overrides)) {
      if (!(name in declared)) throw this.fail([], `parameter override ${name} is not declared in Parameters`);
    }
    for (const [name, spec] of Object.entries(declared)) {
      const at = ['Parameters', name];
      const definition = isRecord(spec) ? spec : {};
      if (typeof definition.Type !== 'string') throw this.fail(at, 'needs a Type');
      const raw = overrides[name] ?? (definition.Default === undefined ? undefined : String(definition.Default));
      if (raw === undefined) throw this.fail(at, 'has no Default and no override');
      this.checkParameterValue(name, definition, raw);
      const isList = definition.Type.startsWith('CommaDelimitedList') || definition.Type.startsWith('List<');
      this.parameters.set(name, isList ? raw.split(',').map((s) => s.trim()) : raw);
    }
    this.parameters.set('AWS::AccountId', this.model.accountId);
    this.parameters.set('AWS::Region', this.model.region);
    this.parameters.set('AWS::Partition', this.model.partition.name);
    this.parameters.set('AWS::URLSuffix', this.model.partition.dnsSuffix);
    this.parameters.set('AWS::NotificationARNs', []);
    this.parameters.set('AWS::StackName', this.stackName);
    this.parameters.set(
      'AWS::StackId',
      `arn:${this.model.partition.name}:cloudformation:${this.model.region}:${this.model.accountId}:stack/${this.stackName}/${deterministicUuid(`stack/${this.stackName}`)}`,
    );
  }

  private checkParameterValue(name: string, definition: Record<string, unknown>, raw: string): void {
    const at = ['Parameters', name];
    if (Array.isArray(definition.AllowedValues) && !definition.AllowedValues.map(String).includes(raw)) {
      throw this.fail(at, `value '${raw}' is not one of AllowedValues`);
    }
    if (typeof definition.AllowedPattern === 'string' && !new RegExp(`^(?:${definition.AllowedPattern})$`).test(raw)) {
      throw this.fail(at, `value '${raw}' does not match AllowedPattern ${definition.AllowedPattern}`);
    }
    if (definition.MinLength !== undefined && raw.length < Number(definition.MinLength)) {
      throw this.fail(at, `value '${raw}' is shorter than MinLength ${definition.MinLength}`);
    }
    if (definition.MaxLength !== undefined && raw.length > Number(definition.MaxLength)) {
      throw this.fail(at, `value '${raw}' is longer than MaxLength ${definition.MaxLength}`);
    }
    if (definition.Type === 'Number') {
      const value = Number(raw);
      if (raw.trim() === '' || Number.isNaN(value)) throw this.fail(at, `value '${raw}' is not a Number`);
      if (definition.MinValue !== undefined && value < Number(definition.MinValue))
        throw this.fail(at, `value ${raw} is below MinValue ${definition.MinValue}`);
      if (definition.MaxValue !== undefined && value > Number(definition.MaxValue))
        throw this.fail(at, `value ${raw} is above MaxValue ${definition.MaxValue}`);
    }
  }

  isParameter(name: string): boolean {
    return this.parameters.has(name) || PSEUDO_PARAMETERS.has(name);
  }

  private condition(name: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) return known;
    if (!(name in this.conditions)) throw this.fail([], `condition ${name} is not declared`);
    if (this.resolving.has(`condition:${name}`)) throw this.fail(['Conditions', name], 'refers to itself');
    this.resolving.add(`condition:${name}`);
    const value = this.resolveIn(this.conditions[name], ['Conditions', name], true);
    this.resolving.delete(`condition:${name}`);
    if (typeof value !== 'boolean') throw this.fail(['Conditions', name], 'does not evaluate to a boolean');
    this.conditionValues.set(name, value);
    return value;
  }

  /** Whether the resource (or output) exists, given its `Condition`. */
  isActive(conditionName: unknown): boolean {
    return conditionName === undefined || this.condition(String(conditionName));
  }

  resource(logicalId: string): Resource {
    return this.resources[logicalId] as Resource;
  }

  property(logicalId: string, name: string): Json {
    const value = this.resolveIn(this.resource(logicalId).Properties?.[name], [
      'Resources',
      logicalId,
      'Properties',
      name,
    ]);
    return value === NO_VALUE ? undefined : value;
  }

  stringProperty(logicalId: string, name: string): string | undefined {
    const value = this.property(logicalId, name);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw this.fail(['Resources', logicalId, 'Properties', name], 'must be a string');
    return value;
  }

  stringListProperty(logicalId: string, name: string): string[] {
    const value = this.property(logicalId, name);
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw this.fail(['Resources', logicalId, 'Properties', name], 'must be a list of strings');
    }
    return value as string[];
  }

  booleanProperty(logicalId: string, name: string): boolean | undefined {
    const value = this.property(logicalId, name);
    if (value === undefined) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw this.fail(['Resources', logicalId, 'Properties', name], 'must be a boolean');
  }

  /** The value `!Ref <logicalId>` yields, computed without creating anything. */
  physicalId(logicalId: string): string {
    const known = this.physicalIds.get(logicalId);
    if (known !== undefined) return known;
    if (this.resolving.has(logicalId)) {
      throw this.fail(['Resources', logicalId], 'refers to itself (circular reference)');
    }
    this.resolving.add(logicalId);
    const id = this.computePhysicalId(logicalId);
    this.resolving.delete(logicalId);
    this.physicalIds.set(logicalId, id);
    return id;
  }

  private computePhysicalId(logicalId: string): string {
    const { accountId, region } = this.model;
    switch (this.resource(logicalId).Type) {
      case 'AWS::IAM::OIDCProvider': {
        const url = this.stringProperty(logicalId, 'Url') ?? '';
        return IamModel.oidcProviderArn(accountId, this.providerName(logicalId, url), this.model.partition.name);
      }
      case 'AWS::IAM::Role':
        // `!Ref Role` is the role name in CloudFormation; the ARN is `!GetAtt Role.Arn`.
        return this.roleName(logicalId);
      case 'AWS::IAM::ManagedPolicy':
        return IamModel.policyArn(
          accountId,
          this.stringProperty(logicalId, 'Path') ?? '/',
          this.stringProperty(logicalId, 'ManagedPolicyName') ?? this.generatedName(logicalId, 128),
          this.model.partition.name,
        );
      case 'AWS::Cognito::IdentityPool':
        return `${region}:${deterministicUuid(`identity-pool/${accountId}/${this.stackName}/${logicalId}`)}`;
      case 'AWS::Cognito::IdentityPoolPrincipalTag':
        return `${this.stringProperty(logicalId, 'IdentityPoolId')}|${this.stringProperty(logicalId, 'IdentityProviderName')}`;
      default:
        return this.generatedName(logicalId, 255);
    }
  }

  private providerName(logicalId: string, url: string): string {
    try {
      return issuerProviderName(url);
    } catch (error) {
      throw this.fail(['Resources', logicalId, 'Properties', 'Url'], (error as Error).message);
    }
  }

  /** CloudFormation generates `<stack>-<logicalId>-<random>`; the emulator drops the random part for stability. */
  generatedName(logicalId: string, max: number): string {
    return `${this.stackName}-${logicalId}`.slice(0, max);
  }

  roleArn(logicalId: string): string {
    const path = this.stringProperty(logicalId, 'Path') ?? '/';
    return IamModel.roleArn(this.model.accountId, path, this.physicalId(logicalId), this.model.partition.name);
  }

  roleName(logicalId: string): string {
    return this.stringProperty(logicalId, 'RoleName') ?? this.generatedName(logicalId, 64);
  }

  private getAtt(logicalId: string, attribute: string, path: Path): Json {
    const resource = this.resources[logicalId];
    if (!isRecord(resource)) throw this.fail(path, `!GetAtt ${logicalId}.${attribute}: no such resource`);
    const type = resource.Type;
    const known = knownAttributes(type);
    if (known && !known.includes(attribute)) {
      throw this.fail(path, `!GetAtt ${logicalId}.${attribute}: ${type} has no attribute ${attribute}`);
    }
    switch (`${type}.${attribute}`) {
      case 'AWS::IAM::Role.Arn':
        return this.roleArn(logicalId);
      case 'AWS::IAM::OIDCProvider.Arn':
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
      case 'AWS::Cognito::IdentityPool.Id':
        return this.physicalId(logicalId);
      case 'AWS::IAM::Role.RoleId':
        return IamModel.roleId(this.roleArn(logicalId));
      case 'AWS::IAM::ManagedPolicy.PolicyId':
        return deterministicUniqueId('ANPA', this.physicalId(logicalId));
      case 'AWS::Cognito::IdentityPool.Name':
        return this.stringProperty(logicalId, 'IdentityPoolName') ?? logicalId;
      default:
        // Not modelled: a stable placeholder, so that the value is at least traceable in a trust policy.
        return `${this.physicalId(logicalId)}.${attribute}`;
    }
  }

  private ref(name: string, path: Path): Json {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (this.parameters.has(name)) return this.parameters.get(name);
    if (name in this.resources) return this.physicalId(name);
    throw this.fail(path, `!Ref ${name}: no such parameter or resource`);
  }

  private sub(template: string, variables: Record<string, Json>, path: Path): string {
    return template.replace(/\$\{([^}]*)\}/g, (_whole, inner: string) => {
      if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
      const name = inner.trim();
      const value =
        name in variables
          ? variables[name]
          : name.includes('.') && !this.parameters.has(name)
            ? this.getAtt(name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1), path)
            : this.ref(name, path);
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw this.fail(path, `!Sub variable ${name} is not a string`);
      }
      return String(value);
    });
  }

  /** Resolves a value found at `path`; `inConditions` allows the condition functions (Conditions section only). */
  resolveIn(value: Json, path: Path, inConditions = false): Json {
    if (Array.isArray(value)) {
      return value.map((v, i) => this.resolveIn(v, [...path, i], inConditions)).filter((v) => v !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    const fn = keys[0] as string;
    if (keys.length === 1 && (fn === 'Ref' || fn.startsWith('Fn::') || (fn === 'Condition' && inConditions))) {
      return this.intrinsic(fn, value[fn], path, inConditions);
    }
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolveIn(v, [...path, k], inConditions);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private intrinsic(fn: string, arg: Json, path: Path, inConditions: boolean): Json {
    const r = (v: Json) => this.resolveIn(v, path, inConditions);
    const shape = (expected: string) => this.fail(path, `${fn} takes ${expected}`);
    if (CONDITION_FUNCTIONS.has(fn) && !inConditions) {
      throw this.fail(path, `${fn} is only allowed in the Conditions section (use Fn::If with a condition name)`);
    }
    switch (fn) {
      case 'Ref':
        if (typeof arg !== 'string') throw shape('a logical id or parameter name');
        return this.ref(arg, path);
      case 'Fn::Sub': {
        if (typeof arg === 'string') return this.sub(arg, {}, path);
        if (Array.isArray(arg) && typeof arg[0] === 'string' && (arg[1] === undefined || isRecord(arg[1]))) {
          const vars = Object.fromEntries(
            Object.entries((arg[1] ?? {}) as Record<string, Json>).map(([k, v]) => [k, r(v)]),
          );
          return this.sub(arg[0], vars, path);
        }
        throw shape('a string or [string, {variables}]');
      }
      case 'Fn::GetAtt': {
        const parts = typeof arg === 'string' ? arg.split('.') : Array.isArray(arg) ? arg.map((a) => String(r(a))) : [];
        if (parts.length < 2) throw shape('LogicalId.Attribute');
        return this.getAtt(parts[0] as string, parts.slice(1).join('.'), path);
      }
      case 'Fn::Select': {
        if (!Array.isArray(arg) || arg.length !== 2) throw shape('[index, list]');
        const index = Number(r(arg[0]));
        const list = r(arg[1]);
        if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length) {
          throw this.fail(path, `!Select index ${index} is out of range`);
        }
        return list[index];
      }
      case 'Fn::Split': {
        const source = Array.isArray(arg) && arg.length === 2 ? r(arg[1]) : undefined;
        if (!Array.isArray(arg) || typeof arg[0] !== 'string' || typeof source !== 'string')
          throw shape('[delimiter, string]');
        return source.split(arg[0]);
      }
      case 'Fn::Join': {
        const list = Array.isArray(arg) && arg.length === 2 ? r(arg[1]) : undefined;
        if (!Array.isArray(arg) || typeof arg[0] !== 'string' || !Array.isArray(list)) throw shape('[delimiter, list]');
        return list.map(String).join(arg[0]);
      }
      case 'Fn::FindInMap':
        return this.findInMap(arg, path, r);
      case 'Fn::If': {
        if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string')
          throw shape('[condition, then, else]');
        if (!(arg[0] in this.conditions)) throw this.fail(path, `Fn::If refers to unknown condition ${arg[0]}`);
        return r(this.condition(arg[0]) ? arg[1] : arg[2]);
      }
      case 'Fn::GetAZs': {
        const region = r(arg);
        if (typeof region !== 'string') throw shape('a region name or ""');
        const name = region === '' ? this.model.region : region;
        return ['a', 'b', 'c'].map((zone) => `${name}${zone}`);
      }
      case 'Fn::Base64': {
        const text = r(arg);
        if (typeof text !== 'string') throw shape('a string');
        return Buffer.from(text, 'utf8').toString('base64');
      }
      case 'Fn::Equals': {
        if (!Array.isArray(arg) || arg.length !== 2) throw shape('[value, value]');
        return JSON.stringify(r(arg[0])) === JSON.stringify(r(arg[1]));
      }
      case 'Fn::Not':
        if (!Array.isArray(arg) || arg.length !== 1) throw shape('[condition]');
        return this.booleans(arg, path, r)[0] !== true;
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) throw shape('a list of 2 to 10 conditions');
        const values = this.booleans(arg, path, r);
        return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Condition':
        if (typeof arg !== 'string') throw shape('a condition name');
        return this.condition(arg);
      case 'Fn::ImportValue':
        throw this.fail(
          path,
          "Fn::ImportValue reads another stack's export, which the emulator cannot see; pass the value as a parameter instead",
        );
      case 'Fn::Cidr':
        throw this.fail(
          path,
          'Fn::Cidr is not evaluated by the emulator (it has no meaning in IAM or Cognito properties)',
        );
      case 'Fn::Length':
      case 'Fn::ToJsonString':
        throw this.fail(path, `${fn} needs Transform AWS::LanguageExtensions, which the emulator does not apply`);
      case 'Fn::Transform':
        throw this.fail(path, 'Fn::Transform runs a macro, which the emulator does not apply');
      default:
        throw this.fail(path, `unknown intrinsic function ${fn}`);
    }
  }

  private booleans(args: Json[], path: Path, r: (v: Json) => Json): boolean[] {
    return args.map((a) => {
      const value = r(a);
      if (typeof value !== 'boolean') throw this.fail(path, 'a condition function operand must be a condition');
      return value;
    });
  }

  private findInMap(arg: Json, path: Path, r: (v: Json) => Json): Json {
    if (!Array.isArray(arg) || arg.length !== 3)
      throw this.fail(path, 'Fn::FindInMap takes [MapName, TopLevelKey, SecondLevelKey]');
    const [map, top, second] = arg.map((a) => String(r(a)));
    const entry = this.mappings[map as string];
    if (!isRecord(entry)) throw this.fail(path, `Fn::FindInMap: no mapping ${map} in Mappings`);
    const level = entry[top as string];
    if (!isRecord(level) || !((second as string) in level)) {
      throw this.fail(path, `Fn::FindInMap: mapping ${map} has no ${top}.${second}`);
    }
    return level[second as string];
  }
}
