import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { Stage, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A small IAM scan over CloudFormation templates. It flags:
 *  - `all-actions-all-resources`: an Allow statement whose Action is `*` or `*:*`
 *    (or an Allow with NotAction) on Resource `*` (or NotResource), in any IAM
 *    policy (AWS::IAM::Policy, ManagedPolicy, RolePolicy/UserPolicy/GroupPolicy,
 *    inline policies of roles/users/groups) or resource policy (KMS key policies,
 *    S3 bucket, SNS topic, SQS queue policies);
 *  - `admin-managed-policy`: AdministratorAccess, PowerUserAccess or IAMFullAccess
 *    attached to a role, user or group (except roles tagged as break-glass);
 *  - `public-principal`: an Allow to Principal `*` with no Condition in a key or
 *    resource policy, or in a role's trust policy.
 *
 * Use it on one stack (`scanStacks([stack])`), a whole app (`scanStage(app)`),
 * or a synthesised cloud assembly on disk (`scanAssemblyDir('out/aws')`).
 */

export interface IamFinding {
  readonly stack: string;
  readonly logicalId: string;
  readonly type: string;
  readonly rule: 'all-actions-all-resources' | 'admin-managed-policy' | 'public-principal';
  readonly detail: string;
}

export interface IamScanOptions {
  /**
   * Values of the `nhs-backbone:role` tag whose roles may hold an admin
   * managed policy (the break-glass role exists for that).
   * @default ['break-glass']
   */
  readonly adminAllowedRoleKinds?: string[];
}

type Json = any;

const ADMIN_POLICIES = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
const ROLE_KIND_TAG = 'nhs-backbone:role';

/** Scans templates given as { stackName: templateJson }. */
export function scanTemplates(templates: { [stack: string]: Json }, options: IamScanOptions = {}): IamFinding[] {
  const adminOk = new Set(options.adminAllowedRoleKinds ?? ['break-glass']);
  const out: IamFinding[] = [];
  for (const [stack, template] of Object.entries(templates)) {
    const resources: { [id: string]: Json } = template?.Resources ?? {};
    const exemptRoles = new Set(Object.entries(resources)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role' && adminOk.has(tagValue(r.Properties?.Tags, ROLE_KIND_TAG) ?? ''))
      .map(([id]) => id));
    for (const [logicalId, r] of Object.entries(resources)) {
      const p = r.Properties ?? {};
      const add = (rule: IamFinding['rule'], detail: string) => out.push({ stack, logicalId, type: r.Type, rule, detail });
      const docs: Array<[string, Json, boolean]> = []; // [where, document, isResourcePolicy]
      switch (r.Type) {
        case 'AWS::IAM::Policy':
        case 'AWS::IAM::ManagedPolicy':
        case 'AWS::IAM::RolePolicy':
        case 'AWS::IAM::UserPolicy':
        case 'AWS::IAM::GroupPolicy':
          docs.push(['PolicyDocument', p.PolicyDocument, false]);
          break;
        case 'AWS::IAM::Role':
        case 'AWS::IAM::User':
        case 'AWS::IAM::Group':
          for (const [i, pol] of (p.Policies ?? []).entries()) docs.push([`Policies[${i}]`, pol.PolicyDocument, false]);
          if (r.Type === 'AWS::IAM::Role') checkTrust(p.AssumeRolePolicyDocument, add);
          if (!(r.Type === 'AWS::IAM::Role' && exemptRoles.has(logicalId))) {
            for (const arn of p.ManagedPolicyArns ?? []) {
              const s = flatten(arn);
              if (ADMIN_POLICIES.test(s)) add('admin-managed-policy', `${s} attached`);
            }
          }
          break;
        case 'AWS::KMS::Key':
          docs.push(['KeyPolicy', p.KeyPolicy, true]);
          break;
        case 'AWS::S3::BucketPolicy':
        case 'AWS::SNS::TopicPolicy':
        case 'AWS::SQS::QueuePolicy':
          docs.push(['PolicyDocument', p.PolicyDocument, true]);
          break;
        default:
          break;
      }
      for (const [where, doc, isResourcePolicy] of docs) {
        for (const [i, st] of statements(doc).entries()) {
          if (st.Effect !== 'Allow') continue;
          const actions = list(st.Action).map(flatten);
          const targets = list(st.Resource).map(flatten);
          const allActions = actions.some((a) => a === '*' || a === '*:*') || st.NotAction !== undefined;
          const allResources = targets.includes('*') || st.NotResource !== undefined || (isResourcePolicy && st.Resource === undefined);
          if (allActions && allResources) {
            add('all-actions-all-resources', `${where}.Statement[${i}] allows ${st.NotAction !== undefined ? 'NotAction' : JSON.stringify(actions)} on all resources`);
          }
          if (isResourcePolicy && isPublic(st.Principal) && st.Condition === undefined) {
            add('public-principal', `${where}.Statement[${i}] allows Principal "*" without a condition`);
          }
        }
      }
    }
  }
  return out;
}

/** Scans synthesised stacks. */
export function scanStacks(stacks: Stack[], options: IamScanOptions = {}): IamFinding[] {
  const templates: { [name: string]: Json } = {};
  for (const s of stacks) {
    const asm = Stage.of(s)!.synth();
    templates[s.artifactId] = asm.getStackArtifact(s.artifactId).template;
  }
  return scanTemplates(templates, options);
}

/** Scans every stack of a stage (an App), nested stages included. */
export function scanStage(stage: Stage, options: IamScanOptions = {}): IamFinding[] {
  const asm = stage.synth();
  const templates: { [name: string]: Json } = {};
  for (const art of asm.stacksRecursively) templates[art.stackName] = art.template;
  return scanTemplates(templates, options);
}

/** Scans a cloud assembly on disk (e.g. the `aws/` folder `nhs-backbone synth` writes). */
export function scanAssemblyDir(dir: string, options: IamScanOptions = {}): IamFinding[] {
  const templates: { [name: string]: Json } = {};
  for (const f of readdirSync(dir)) {
    if (f.endsWith('.template.json')) templates[f.replace(/\.template\.json$/, '')] = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  }
  return scanTemplates(templates, options);
}

/** Every stack under a construct (for callers who build without an App). */
export function stacksUnder(scope: Construct): Stack[] {
  return scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

function checkTrust(doc: Json, add: (rule: IamFinding['rule'], detail: string) => void): void {
  for (const [i, st] of statements(doc).entries()) {
    if (st.Effect === 'Allow' && isPublic(st.Principal) && st.Condition === undefined) {
      add('public-principal', `AssumeRolePolicyDocument.Statement[${i}] lets anyone assume the role`);
    }
  }
}

function statements(doc: Json): Json[] {
  if (!doc || typeof doc !== 'object') return [];
  return list(doc.Statement);
}

function list(x: Json): Json[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

function isPublic(principal: Json): boolean {
  if (principal === '*') return true;
  if (principal && typeof principal === 'object') {
    return list(principal.AWS).map(flatten).includes('*');
  }
  return false;
}

/** A string for a value that may be an intrinsic (Fn::Join, Ref, Fn::Sub, Fn::GetAtt). */
function flatten(x: Json): string {
  if (typeof x === 'string') return x;
  if (x && typeof x === 'object') {
    if ('Fn::Join' in x) {
      const [sep, parts] = x['Fn::Join'];
      return (parts as Json[]).map(flatten).join(sep);
    }
    if ('Ref' in x) return `\${${x.Ref}}`;
    if ('Fn::Sub' in x) return flatten(Array.isArray(x['Fn::Sub']) ? x['Fn::Sub'][0] : x['Fn::Sub']);
    if ('Fn::GetAtt' in x) return `\${${[].concat(x['Fn::GetAtt']).join('.')}}`;
    if ('Fn::ImportValue' in x) return `\${Import:${flatten(x['Fn::ImportValue'])}}`;
  }
  return JSON.stringify(x);
}

function tagValue(tags: Json, key: string): string | undefined {
  return list(tags).find((t) => t && t.Key === key)?.Value;
}
