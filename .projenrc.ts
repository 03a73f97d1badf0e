import { cdk, javascript } from 'projen';

/**
 * nhs-backbone: the single source of truth for the project's configuration.
 * Never hand-edit the files projen generates (package.json fields it owns,
 * tsconfig*.json, .projen/*, workflows, API.md); change this file and run
 * `npx projen`.
 */

// Versions the library is built and tested against. Users bring their own
// (peer dependencies); the dev dependency pins what CI uses.
const AWS_CDK_LIB = '2.276.0';
const CONSTRUCTS = '10.8.1';
const CDKTF = '0.21.0';
const PROVIDER_AZURERM = '14.23.1';
const PROVIDER_GOOGLE = '16.12.1';

const project = new cdk.JsiiProject({
  name: 'nhs-backbone',
  description:
    'One standardised, commoditised cloud backbone for the NHS: network, identity, storage and PACS hosting on AWS, Azure and Google Cloud.',
  author: 'nhs-backbone contributors',
  authorAddress: 'nhs-backbone@users.noreply.github.com',
  repositoryUrl: 'https://github.com/nhs-backbone/nhs-backbone.git',
  keywords: ['nhs', 'cdk', 'cdktf', 'aws', 'azure', 'gcp', 'hscn', 'pacs', 'dicom', 'landing-zone'],
  license: 'Apache-2.0',
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  jsiiVersion: '~6.0.0',
  minNodeVersion: '20.0.0',

  peerDeps: [
    'aws-cdk-lib@^2.200.0',
    'constructs@^10.4.2',
    'cdktf@^0.21.0',
    '@cdktf/provider-azurerm@^14.0.0',
    '@cdktf/provider-google@^16.0.0',
  ],
  // The dev dependencies below pin what the build and CI use.
  peerDependencyOptions: { pinnedDevDependency: false },
  devDeps: [
    `aws-cdk-lib@${AWS_CDK_LIB}`,
    `constructs@${CONSTRUCTS}`,
    `cdktf@${CDKTF}`,
    `@cdktf/provider-azurerm@${PROVIDER_AZURERM}`,
    `@cdktf/provider-google@${PROVIDER_GOOGLE}`,
    '@types/node@^20',
    // Run in the tests over AWS output: cdk-nag's HIPAA Security and NIST 800-53 rev 5 packs,
    // and cfn-guard's rules through the CDK policy-validation plugin.
    'cdk-nag@3.0.2',
    '@cdklabs/cdk-validator-cfnguard@0.0.62',
  ],
  // Not jsii modules: shipped inside the package. cloudformation-diff is what
  // `nhs-backbone diff` uses for CloudFormation (it knows which property
  // changes replace a resource); loaded only by that command.
  bundledDeps: ['yaml@^2.8.0', '@aws-cdk/cloudformation-diff@^2.187.5'],

  bin: { 'nhs-backbone': 'bin/nhs-backbone' },

  // Tests: type-checking happens once, in `compile` (jsii); jest only
  // transpiles (test/tsconfig.json sets isolatedModules, so ts-jest uses
  // transpileModule). Snapshots are never rewritten by `test` (CI runs it);
  // `test:update` exists for a human who means to.
  jest: true,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      collectCoverage: false,
      testTimeout: 120_000,
    },
  },

  docgen: true,
  eslint: true,
  prettier: false,
  githubOptions: { mergify: false },
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,

  gitignore: ['/backbone.out', '/cdk.out', '/cdktf.out', '/bench.out', '*.cpuprofile', '/.tmp'],
  npmIgnoreOptions: { ignorePatterns: ['/examples', '/bench', '/.ci', '/backbone.out'] },
});

// The command's launcher: a tiny CommonJS shim that loads the compiled CLI.
// docker/orthanc-gateway: the DIMSE gateway image the AWS construct builds as an asset.
project.addFields({ files: ['lib', 'bin', 'docker', '.jsii', 'API.md', 'README.md', 'LICENSE'] });

// Tests and examples are TypeScript outside src/: give eslint and the test
// tsconfig the examples folder too.
project.tsconfigDev.addInclude('examples/**/*.ts');
project.eslint?.addLintPattern('examples');

// Tests live in test/ and end in .test.ts; projen's default patterns would
// also pick up src/core/spec.ts.
project.tryFindObjectFile('package.json')?.addOverride('jest.testMatch', ['<rootDir>/test/**/*.test.ts']);

// The main job: synthesise the example national backbone on all three clouds.
project.addTask('national', {
  description: 'Synthesise the example national backbone (examples/national) for AWS, Azure and Google Cloud',
  steps: [
    { spawn: 'compile' },
    { exec: 'node bin/nhs-backbone synth examples/national/backbone.yaml --cloud all --out backbone.out' },
  ],
});

// The national-scale benchmark (not a test): 209 and 418 trusts on every cloud,
// wall time, peak memory, stacks, resources, largest stack; figures in bench.out/bench.json.
project.addTask('bench', {
  description: 'Benchmark synthesis of a national backbone (209 and 418 trusts) on AWS, Azure and Google Cloud',
  steps: [
    { spawn: 'compile' },
    { exec: 'node bench/run.js', receiveArgs: true },
  ],
});

project.synth();
