// The checks cfn-lint makes without the network, run over the whole template before anything is created: template
// sections, resource types and attributes, required and unknown properties of the modelled types, and every
// `Ref`, `!GetAtt`, `${…}`, condition and mapping name. Resources the emulator does not model are checked for their
// references too, since a typo there fails the real deployment just the same.
import { isRecord, type Json, type Path, subReferences, type TemplateEvaluator } from './cfn-evaluator';
import { knownAttributes, MODELLED_TYPES, resourceTypeProblem } from './cfn-resource-types';

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
]);

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'Condition',
  'DependsOn',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);

export function checkTemplate(ev: TemplateEvaluator, template: Record<string, unknown>): void {
  for (const section of Object.keys(template)) {
    if (!SECTIONS.has(section)) throw ev.fail([section], `unknown template section ${section}`);
  }
  if (template.Transform !== undefined) {
    const names = [template.Transform].flat().map(String).join(', ');
    throw ev.fail(
      ['Transform'],
      `Transform ${names} is not applied by the emulator; load the processed template instead (for AWS::Serverless: \`sam validate\`/\`aws cloudformation get-template --template-stage Processed\`)`,
    );
  }
  if (template.Rules !== undefined) {
    throw ev.fail(
      ['Rules'],
      'Rules are not evaluated by the emulator; check the parameter values another way and remove the section',
    );
  }
  for (const [name, resource] of Object.entries(ev.resources)) checkResource(ev, name, resource);
  for (const [name, condition] of Object.entries(ev.conditions)) checkReferences(ev, condition, ['Conditions', name]);
  const outputs = isRecord(template.Outputs) ? template.Outputs : {};
  for (const [name, output] of Object.entries(outputs)) {
    if (!isRecord(output) || !('Value' in output)) throw ev.fail(['Outputs', name], 'needs a Value');
    checkConditionName(ev, output.Condition, ['Outputs', name, 'Condition']);
    checkReferences(ev, output, ['Outputs', name]);
  }
}

function checkResource(ev: TemplateEvaluator, name: string, resource: unknown): void {
  const at = ['Resources', name];
  if (!isRecord(resource) || typeof resource.Type !== 'string') throw ev.fail(at, 'needs a Type');
  for (const key of Object.keys(resource)) {
    if (!RESOURCE_ATTRIBUTES.has(key)) throw ev.fail([...at, key], `unknown resource attribute ${key}`);
  }
  const problem = resourceTypeProblem(resource.Type);
  if (problem) throw ev.fail([...at, 'Type'], problem);
  checkConditionName(ev, resource.Condition, [...at, 'Condition']);
  for (const target of [resource.DependsOn ?? []].flat()) {
    if (typeof target !== 'string' || !(target in ev.resources) || target === name) {
      throw ev.fail([...at, 'DependsOn'], `DependsOn ${String(target)} is not another resource of this template`);
    }
  }
  if (resource.Properties !== undefined && !isRecord(resource.Properties)) {
    throw ev.fail([...at, 'Properties'], 'Properties must be a mapping');
  }
  const properties = (resource.Properties ?? {}) as Record<string, Json>;
  const spec = MODELLED_TYPES[resource.Type];
  if (spec) {
    for (const property of spec.required) {
      if (!(property in properties)) throw ev.fail(at, `required property ${property} is missing`);
    }
    for (const property of Object.keys(properties)) {
      if (!spec.required.includes(property) && !spec.optional.includes(property)) {
        throw ev.fail(
          [...at, 'Properties', property],
          `unknown property (${resource.Type} has ${[...spec.required, ...spec.optional].join(', ')})`,
        );
      }
    }
  }
  checkReferences(ev, properties, [...at, 'Properties']);
}

function checkConditionName(ev: TemplateEvaluator, name: unknown, path: Path): void {
  if (name === undefined) return;
  if (typeof name !== 'string' || !(name in ev.conditions)) {
    throw ev.fail(path, `condition ${String(name)} is not declared in Conditions`);
  }
}

/** Walks a value and checks the names every intrinsic function refers to. */
function checkReferences(ev: TemplateEvaluator, value: Json, path: Path): void {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) checkReferences(ev, v, [...path, i]);
    return;
  }
  if (!isRecord(value)) return;
  const keys = Object.keys(value);
  const fn = keys[0] as string;
  if (keys.length === 1 && (fn === 'Ref' || fn.startsWith('Fn::'))) {
    checkIntrinsic(ev, fn, value[fn], path);
    return;
  }
  if (keys.length === 1 && fn === 'Condition' && path[0] === 'Conditions') {
    checkConditionName(ev, value.Condition, path);
    return;
  }
  for (const [k, v] of Object.entries(value)) checkReferences(ev, v, [...path, k]);
}

function checkIntrinsic(ev: TemplateEvaluator, fn: string, arg: Json, path: Path): void {
  switch (fn) {
    case 'Ref':
      if (typeof arg === 'string') checkRef(ev, arg, path);
      return;
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? arg.split('.') : Array.isArray(arg) ? arg : [];
      if (typeof parts[0] === 'string' && parts.slice(1).every((p) => typeof p === 'string')) {
        checkGetAtt(ev, parts[0], parts.slice(1).join('.'), path);
      }
      break;
    }
    case 'Fn::Sub': {
      const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
      if (typeof text === 'string') {
        for (const name of subReferences(text)) {
          if (isRecord(variables) && name in variables) continue;
          const dot = name.indexOf('.');
          if (dot > 0 && !ev.isParameter(name)) checkGetAtt(ev, name.slice(0, dot), name.slice(dot + 1), path);
          else checkRef(ev, name, path);
        }
      }
      break;
    }
    case 'Fn::If':
      if (Array.isArray(arg) && typeof arg[0] === 'string' && !(arg[0] in ev.conditions)) {
        throw ev.fail(path, `Fn::If refers to unknown condition ${arg[0]}`);
      }
      break;
    case 'Fn::FindInMap':
      if (Array.isArray(arg) && typeof arg[0] === 'string' && !(arg[0] in ev.mappings)) {
        throw ev.fail(path, `Fn::FindInMap: no mapping ${arg[0]} in Mappings`);
      }
      break;
  }
  checkReferences(ev, arg, path);
}

function checkRef(ev: TemplateEvaluator, name: string, path: Path): void {
  if (!ev.isParameter(name) && !(name in ev.resources)) {
    throw ev.fail(path, `!Ref ${name}: no such parameter or resource`);
  }
}

function checkGetAtt(ev: TemplateEvaluator, logicalId: string, attribute: string, path: Path): void {
  const resource = ev.resources[logicalId];
  if (!isRecord(resource)) throw ev.fail(path, `!GetAtt ${logicalId}.${attribute}: no such resource`);
  const known = knownAttributes(String(resource.Type));
  if (known && !known.includes(attribute)) {
    throw ev.fail(path, `!GetAtt ${logicalId}.${attribute}: ${resource.Type} has no attribute ${attribute}`);
  }
}
