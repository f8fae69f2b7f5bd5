#!/usr/bin/env node
// CDK entry point (cdk.json: `node dist/bin/app.js`, built by `tsc -p tsconfig.build.json`).
// Context (cdk.json or `-c key=value`) selects the environment; see lib/config.ts for every key.
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';

const app = new App();
buildApp(app);
app.synth();
