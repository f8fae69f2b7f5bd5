import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type HousingApp } from '../../lib/app';

// The CDK CLI sets CDK_DEFAULT_REGION when it runs the app; tests synthesise with the context defaults.
delete process.env.CDK_DEFAULT_REGION;

/** cdk.json's context (the feature flags `cdk synth` runs with), so tests synthesise what the CLI does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** CloudFormation template JSON is untyped: the tests read it through this one loose type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Cfn = any;

export interface Synthesized extends HousingApp {
  app: App;
  platformTemplate: Template;
  registryTemplate: Template;
}

/** Builds the app exactly as bin/app.ts does (cdk-nag included), with extra context, and synthesises it once. */
export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { ...cdkJsonContext(), ...context } });
  const built = buildApp(app);
  return {
    app,
    ...built,
    platformTemplate: Template.fromStack(built.platform),
    registryTemplate: Template.fromStack(built.registry),
  };
}

/** The resources of a type in a template, as [logicalId, resource] pairs. */
export function resources(
  template: Template,
  type: string,
): [string, { Properties: Record<string, Cfn>; Metadata?: Record<string, Cfn> }][] {
  return Object.entries(template.findResources(type)) as never;
}

/** The single resource of a type whose logical id starts with the given prefix. */
export function resource(
  template: Template,
  type: string,
  idPrefix: string,
): { id: string; Properties: Record<string, Cfn> } {
  const found = resources(template, type).filter(([id]) => id.startsWith(idPrefix));
  if (found.length !== 1)
    throw new Error(
      `${found.length} ${type} resources with id ${idPrefix}*: ${found.map(([id]) => id).join(', ')}`,
    );
  return { id: found[0]![0], Properties: found[0]![1].Properties };
}
