import { existsSync, readFileSync, statSync } from 'fs';
import * as path from 'path';
import { isTaggable, tagPropertyOf } from './taggable-types';
import { ComplianceAcknowledgement, NhsComplianceProfile } from '../../core/compliance';
import { BackboneError } from '../../core/errors';
import { Residency } from '../../core/regions';

// The synthesised output the AWS rules read: CloudFormation templates of a
// CDK cloud assembly, as plain JSON. Nothing here imports aws-cdk-lib, so
// `nhs-backbone check` stays fast. Not part of the jsii API.

/** Key of the backbone's record in a template's top-level `Metadata`. */
export const STACK_METADATA_KEY = 'nhs-backbone';

/** A resource of a template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: { [k: string]: any };
  readonly Metadata?: { [k: string]: any };
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

/** A CloudFormation template. */
export interface CfnTemplateJson {
  readonly Resources?: { [logicalId: string]: CfnResourceJson };
  readonly Metadata?: { [k: string]: any };
  readonly Parameters?: { [k: string]: any };
}

/** One stack of the output. */
export interface StackTemplate {
  /** The stack's name (the deployed CloudFormation stack name; `<parent>/<logicalId>` for a nested stack). */
  readonly name: string;
  /** The stack's region, or undefined when it is environment-agnostic. */
  readonly region?: string;
  /** The template file. */
  readonly file: string;
  /** The template. */
  readonly template: CfnTemplateJson;
}

/** The backbone's record in a stack (what the rules cannot see in resources). */
export interface StackRecord {
  readonly backbone?: string;
  readonly residency: Residency;
  readonly internetIngressApps: string[];
}

/** A resource in its stack. */
export interface ResourceRef {
  readonly stack: StackTemplate;
  readonly logicalId: string;
  readonly resource: CfnResourceJson;
}

/**
 * Reads every stack of a CDK cloud assembly directory: the stacks its
 * manifest.json lists, those of nested cloud assemblies (stages), and nested
 * CloudFormation stacks whose templates are in the assembly. Throws a
 * BackboneError naming the directory or file when it is not a readable assembly.
 */
export function readAssembly(dir: string): StackTemplate[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw BackboneError.of(dir, 'is not a directory: give the folder of a CDK cloud assembly (manifest.json and *.template.json)');
  }
  const out: StackTemplate[] = [];
  readAssemblyInto(dir, out, new Set());
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function readAssemblyInto(dir: string, out: StackTemplate[], seen: Set<string>): void {
  const real = path.resolve(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const manifestFile = path.join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw BackboneError.of(manifestFile, 'is missing: the folder is not a CDK cloud assembly (cdk synth or nhs-backbone synth writes one)');
  }
  const manifest = readJson(manifestFile);
  const artifacts = manifest?.artifacts;
  if (typeof manifest !== 'object' || manifest === null || (artifacts !== undefined && (typeof artifacts !== 'object' || artifacts === null))) {
    throw BackboneError.of(manifestFile, 'is not a cloud assembly manifest (no "artifacts" object)');
  }
  for (const [id, artifact] of Object.entries<any>(artifacts ?? {})) {
    if (artifact?.type === 'aws:cloudformation:stack') {
      const templateFile = artifact.properties?.templateFile;
      if (typeof templateFile !== 'string') {
        throw BackboneError.of(manifestFile, `artifact "${id}" is a stack without a templateFile`);
      }
      const file = path.join(dir, templateFile);
      const template = readTemplate(file);
      const stack: StackTemplate = {
        name: String(artifact.properties?.stackName ?? artifact.displayName ?? id),
        region: regionOf(artifact.environment),
        file,
        template,
      };
      out.push(stack);
      readNestedStacks(dir, stack, out);
    } else if (artifact?.type === 'cdk:cloud-assembly') {
      const nested = artifact.properties?.directoryName;
      if (typeof nested !== 'string') {
        throw BackboneError.of(manifestFile, `artifact "${id}" is a nested cloud assembly without a directoryName`);
      }
      readAssemblyInto(path.join(dir, nested), out, seen);
    }
  }
}

/** Nested CloudFormation stacks: their templates are assets of the assembly (`aws:asset:path`). */
function readNestedStacks(dir: string, parent: StackTemplate, out: StackTemplate[]): void {
  for (const [logicalId, r] of Object.entries(parent.template.Resources ?? {})) {
    const asset = r?.Metadata?.['aws:asset:path'];
    if (r?.Type !== 'AWS::CloudFormation::Stack' || typeof asset !== 'string' || !asset.endsWith('.json')) continue;
    const file = path.join(dir, asset);
    if (!existsSync(file)) continue;
    const stack: StackTemplate = { name: `${parent.name}/${logicalId}`, region: parent.region, file, template: readTemplate(file) };
    out.push(stack);
    readNestedStacks(dir, stack, out);
  }
}

/** Reads and checks one template file. */
export function readTemplate(file: string): CfnTemplateJson {
  const t = readJson(file);
  if (typeof t !== 'object' || t === null || Array.isArray(t)) {
    throw BackboneError.of(file, 'is not a CloudFormation template (a JSON object)');
  }
  const resources = t.Resources;
  if (resources !== undefined && (typeof resources !== 'object' || resources === null || Array.isArray(resources))) {
    throw BackboneError.of(file, 'is not a CloudFormation template ("Resources" is not an object)');
  }
  for (const [id, r] of Object.entries<any>(resources ?? {})) {
    if (typeof r !== 'object' || r === null || typeof r.Type !== 'string') {
      throw BackboneError.of(file, `resource "${id}" has no "Type"`);
    }
  }
  return t;
}

function readJson(file: string): any {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw BackboneError.of(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw BackboneError.of(file, `is not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
}

/** The region of a manifest environment (`aws://<account>/<region>`), undefined when unknown. */
export function regionOf(environment: unknown): string | undefined {
  if (typeof environment !== 'string') return undefined;
  const m = /^aws:\/\/[^/]*\/(.+)$/.exec(environment);
  if (!m || m[1] === 'unknown-region' || m[1].includes('${')) return undefined;
  return m[1];
}

/** The backbone's record in a stack; residency `uk` and no internet ingress when absent. */
export function stackRecordOf(stack: StackTemplate): StackRecord {
  const m = stack.template.Metadata?.[STACK_METADATA_KEY];
  const residency = m?.residency === Residency.UK_EEA ? Residency.UK_EEA : Residency.UK;
  const apps = Array.isArray(m?.internetIngressApps) ? m.internetIngressApps.filter((a: unknown) => typeof a === 'string') : [];
  return { backbone: typeof m?.backbone === 'string' ? m.backbone : undefined, residency, internetIngressApps: apps };
}

/** The acknowledgements on a resource (or, with no logical id, on the stack). */
export function acknowledgementsOf(stack: StackTemplate, logicalId?: string): ComplianceAcknowledgement[] {
  const metadata = logicalId === undefined ? stack.template.Metadata : stack.template.Resources?.[logicalId]?.Metadata;
  return NhsComplianceProfile.acknowledgementsIn(metadata ?? {});
}

/** The resources of the stacks being evaluated (see withResourcesOf), so that each rule does not list them again. */
let current: { readonly stacks: StackTemplate[]; readonly resources: readonly ResourceRef[] } | undefined;

/**
 * Runs `fn` with the resources of `stacks` listed once: allResources and
 * resourcesOfType on the same array return that list while it runs. The
 * templates must not change meanwhile (the rules only read them).
 */
export function withResourcesOf<T>(stacks: StackTemplate[], fn: () => T): T {
  const outer = current;
  current = { stacks, resources: listResources(stacks) };
  try {
    return fn();
  } finally {
    current = outer;
  }
}

/** Every resource of every stack (in stack order, then template order; do not modify the list). */
export function allResources(stacks: StackTemplate[]): readonly ResourceRef[] {
  return current?.stacks === stacks ? current.resources : listResources(stacks);
}

function listResources(stacks: StackTemplate[]): ResourceRef[] {
  return stacks.flatMap((stack) => Object.entries(stack.template.Resources ?? {})
    .map(([logicalId, resource]) => ({ stack, logicalId, resource })));
}

/** The resources of one type. */
export function resourcesOfType(stacks: StackTemplate[], ...types: string[]): ResourceRef[] {
  return allResources(stacks).filter((r) => types.includes(r.resource.Type));
}

/** Properties of a resource (empty when none). */
export function props(r: CfnResourceJson): { [k: string]: any } {
  return r.Properties ?? {};
}

/** A value as a list (undefined is empty). */
export function list(x: unknown): any[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

/**
 * The tags of a resource as key/value pairs, whatever the property's shape
 * (a list of `{Key, Value}`, or a map). Values that are not literal strings
 * are kept as JSON.
 */
export function tagsOf(r: CfnResourceJson): { [k: string]: string } {
  const raw = props(r)[tagPropertyOf(r.Type)];
  const out: { [k: string]: string } = {};
  if (Array.isArray(raw)) {
    for (const t of raw) {
      if (t && typeof t.Key === 'string') out[t.Key] = typeof t.Value === 'string' ? t.Value : JSON.stringify(t.Value);
    }
  } else if (raw && typeof raw === 'object') {
    for (const [k, v] of Object.entries(raw)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}

export { isTaggable };

/** The logical id a `{Ref}` or `{Fn::GetAtt}` points to, or undefined. */
export function refTarget(x: unknown): string | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as any;
  if (typeof o.Ref === 'string') return o.Ref;
  const att = o['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') return att[0];
  if (typeof att === 'string') return att.split('.')[0];
  return undefined;
}

/**
 * A string value with intrinsics rendered as placeholders, so that two
 * values can be compared and literal parts matched: `Fn::Join` and `Fn::Sub`
 * are expanded; `Ref` to a pseudo parameter is `${AWS::Partition}`-style;
 * `Ref` and `Fn::GetAtt` of a bucket with a literal name render its name and
 * ARN (`arn:${AWS::Partition}:s3:::<name>`); anything else is `${<id>.<attr>}`.
 */
export function render(x: unknown, stack?: StackTemplate): string {
  if (typeof x === 'string') return x;
  if (typeof x === 'number' || typeof x === 'boolean') return String(x);
  if (!x || typeof x !== 'object') return '';
  const o = x as any;
  if (Array.isArray(o)) return o.map((v) => render(v, stack)).join(',');
  if (o['Fn::Join'] && Array.isArray(o['Fn::Join'])) {
    const [sep, parts] = o['Fn::Join'];
    return list(parts).map((p) => render(p, stack)).join(typeof sep === 'string' ? sep : '');
  }
  if (o['Fn::Sub'] !== undefined) {
    const [text, vars] = Array.isArray(o['Fn::Sub']) ? o['Fn::Sub'] : [o['Fn::Sub'], {}];
    return String(text).replace(/\$\{([^}!]+)\}/g, (whole: string, name: string) =>
      (vars && vars[name] !== undefined ? render(vars[name], stack) : renderRef(name.includes('.') ? name.split('.') : [name], stack) ?? whole));
  }
  if (typeof o.Ref === 'string') return renderRef([o.Ref], stack) ?? `\${${o.Ref}}`;
  const att = o['Fn::GetAtt'];
  if (att !== undefined) {
    const parts = Array.isArray(att) ? att.map(String) : String(att).split('.');
    return renderRef(parts, stack) ?? `\${${parts.join('.')}}`;
  }
  if (o['Fn::ImportValue'] !== undefined) return `\${Import:${render(o['Fn::ImportValue'], stack)}}`;
  return `\${${Object.keys(o)[0] ?? '?'}}`;
}

function renderRef(parts: string[], stack?: StackTemplate): string | undefined {
  const [id, attr] = parts;
  if (id.startsWith('AWS::')) return `\${${id}}`;
  const r = stack?.template.Resources?.[id];
  if (r?.Type === 'AWS::S3::Bucket' && typeof r.Properties?.BucketName === 'string') {
    const name = r.Properties.BucketName;
    if (attr === undefined) return name;
    if (attr === 'Arn') return `arn:\${AWS::Partition}:s3:::${name}`;
  }
  const p = stack?.template.Parameters?.[id];
  if (p && attr === undefined && typeof p.Default === 'string' && /^AWS::SSM::Parameter::Value</.test(String(p.Type))) {
    return `\${ssm:${p.Default}}`;
  }
  return undefined;
}

/** The ARN of a bucket resource as `render` writes it, or undefined when its name is not literal. */
export function bucketArnOf(r: CfnResourceJson): string | undefined {
  const name = props(r).BucketName;
  return typeof name === 'string' ? `arn:\${AWS::Partition}:s3:::${name}` : undefined;
}

/** Normalises a rendered ARN's partition so that literal and `${AWS::Partition}` forms compare equal. */
export function normaliseArn(arn: string): string {
  return arn.replace(/^arn:(aws[a-z-]*|\$\{AWS::Partition\}):/, 'arn:${AWS::Partition}:');
}

/** True when a value names the resource `logicalId` (a Ref or GetAtt of it). */
export function pointsTo(x: unknown, logicalId: string): boolean {
  return refTarget(x) === logicalId;
}
