import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { PROJECT_ROOT } from '../../infra/constructs/function.ts';
import {
  type OpenverifyDataStack,
  type OpenverifyProps,
  type OpenverifyStack,
  openverify,
} from '../../infra/openverify-stack.ts';

export interface Synthesized {
  /** The service stack (`openverify-<region>`). */
  stack: OpenverifyStack;
  /** The data stack (`openverify-<region>-data`). */
  dataStack: OpenverifyDataStack;
  /** The service stack's template. */
  template: Template;
  dataTemplate: Template;
  /** The cloud assembly's directory (a fresh temporary one). */
  outdir: string;
  cleanUp(): void;
}

/** cdk.json's context, the feature flags above all: what `cdk synth` runs the app with. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * Synthesizes one region's two stacks, with cdk.json's feature flags. Bundling (esbuild, about a
 * second a function) runs only when asked for: otherwise CDK's own switch for skipping it (the one
 * `cdk deploy --exclusively` uses) leaves the templates identical but for asset hashes.
 */
export function synthesize(props: OpenverifyProps, options: { bundle?: boolean } = {}): Synthesized {
  const context = { ...CDK_JSON_CONTEXT, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ context });
  const { dataStack, stack } = openverify(app, props);
  const template = Template.fromStack(stack);
  const dataTemplate = Template.fromStack(dataStack);
  const outdir = app.outdir;
  return {
    stack,
    dataStack,
    template,
    dataTemplate,
    outdir,
    cleanUp: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * A value as the service stack's template has it: the data stack's attributes arrive there as
 * references to its outputs (`Fn::GetStackOutput`), its own as `Ref`s and `Fn::GetAtt`s.
 */
export const inService = (s: Synthesized, value: string): unknown => s.stack.resolve(value);

export interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: unknown;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
type Resources = Record<string, Resource>;

/** Logical ids a value refers to: `Ref`, `Fn::GetAtt`, and `${Id}` / `${Id.Attr}` in `Fn::Sub`. */
function references(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) references(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner) && typeof inner[0] === 'string')
        into.add(inner[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        if (typeof text === 'string')
          for (const match of text.matchAll(/\$\{([^}.!]+)/g)) into.add(match[1] ?? '');
        references(inner, into);
      } else references(inner, into);
    }
  }
  return into;
}

/** A dependency cycle among the template's resources, as a path of logical ids, or undefined. */
export function findDependencyCycle(template: Template): string[] | undefined {
  const resources = template.toJSON().Resources as Resources;
  const edges = new Map<string, string[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const deps = references(resource.Properties ?? {}, new Set());
    for (const dep of [resource.DependsOn ?? []].flat()) if (typeof dep === 'string') deps.add(dep);
    edges.set(
      id,
      [...deps].filter((dep) => dep in resources),
    );
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const dep of edges.get(id) ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

/** The resource a construct synthesized to: its logical id and its entry in its own stack's template. */
export function resourceOf(
  synthesized: Synthesized,
  construct: IConstruct,
): { id: string; resource: Resource } {
  const child = construct instanceof CfnElement ? construct : construct.node.defaultChild;
  if (!(child instanceof CfnElement))
    throw new Error(`${construct.node.path} has no CloudFormation resource`);
  const stack = Stack.of(child);
  const id = stack.getLogicalId(child);
  const template = stack === synthesized.dataStack ? synthesized.dataTemplate : synthesized.template;
  const resource = (template.toJSON().Resources as Resources)[id];
  if (!resource) throw new Error(`No resource ${id}`);
  return { id, resource };
}

/** The value at `keys` inside `value` (template JSON), or undefined where the path breaks. */
export function dig(value: unknown, ...keys: (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

export interface Statement {
  Effect?: string;
  Action?: string | string[];
  Resource?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every IAM statement of the role of the function with logical id `functionId`. */
export function statementsOfFunction(template: Template, functionId: string): Statement[] {
  const resources = template.toJSON().Resources as Resources;
  const role = dig(resources[functionId], 'Properties', 'Role', 'Fn::GetAtt', 0);
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy')
    .filter((r) => [dig(r, 'Properties', 'Roles')].flat().some((ref) => dig(ref, 'Ref') === role))
    .flatMap((r) => [dig(r, 'Properties', 'PolicyDocument', 'Statement')].flat() as Statement[]);
}

/** Every IAM action granted to the role of the function with logical id `functionId`. */
export function actionsOfFunction(template: Template, functionId: string): string[] {
  return statementsOfFunction(template, functionId)
    .flatMap((statement) => [statement.Action].flat())
    .filter((action): action is string => typeof action === 'string');
}

/**
 * The function's DynamoDB grants, one entry per statement: its actions and the partition-key
 * patterns of its `dynamodb:LeadingKeys` condition, sorted, for exact comparison.
 */
export function tableGrantsOfFunction(
  template: Template,
  functionId: string,
): { actions: string[]; leadingKeys: string[]; statement: Statement }[] {
  return statementsOfFunction(template, functionId)
    .filter((statement) => [statement.Action].flat().some((action) => action?.startsWith('dynamodb:')))
    .map((statement) => ({
      actions: [statement.Action]
        .flat()
        .filter((a): a is string => typeof a === 'string')
        .sort(),
      leadingKeys: (
        [dig(statement, 'Condition', 'ForAllValues:StringLike', 'dynamodb:LeadingKeys')].flat() as string[]
      )
        .filter((key) => key !== undefined)
        .sort(),
      statement,
    }));
}

export function environmentOf(resource: Resource): Record<string, unknown> {
  return (dig(resource, 'Properties', 'Environment', 'Variables') ?? {}) as Record<string, unknown>;
}
