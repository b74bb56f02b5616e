#!/usr/bin/env node
// The CDK app: one stack from the context parameters (lib/config.ts), checked by cdk-nag's
// AwsSolutions rules at every synth. Environment-agnostic on purpose (no account, no lookups), so
// it synthesizes offline with no credentials.
import { App } from 'aws-cdk-lib';
import { configFromContext } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { NinjaOrdersStack } from '../lib/stack';

const app = new App();
const config = configFromContext(app.node);
const stack = new NinjaOrdersStack(app, 'NinjaOrders', config, { stackName: config.stackName });
addNagChecks(app, stack);
app.synth();
