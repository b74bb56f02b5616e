// cdk-nag 3's AwsSolutions rules at every synth (a validation plugin: `app.synth()` fails on any
// finding not acknowledged), and each acknowledgement on the one construct it is about, with its
// reason. Acknowledging a rule on the whole stack would also hide the next, unintended finding.
import { App, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NinjaOrdersStack } from './stack';

const IAM5_ANY_RESOURCE = 'AwsSolutions::AwsSolutions-IAM5[Resource::*]';
const XRAY =
  'Active tracing (as the original): xray:PutTraceSegments and xray:PutTelemetryRecords take no resource-level ' +
  'permissions, so their resource is "*". Every other statement names its own tables, indexes, topic or queue.';

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

function acknowledgeApi(stack: NinjaOrdersStack): void {
  const restApi = stack.api.restApi;
  acknowledge(restApi, 'AwsSolutions::AwsSolutions-APIG2',
    'Every path is a proxy to the api function, which validates each request strictly with the same code as ' +
      '`serve` (400/422 problem+json). A gateway model would be a second copy of the OpenAPI schema to drift.');
  acknowledge(restApi.deploymentStage, 'AwsSolutions::AwsSolutions-APIG3',
    'No WAF web ACL by default: it costs more than the service at low volume; the stage and usage-plan ' +
      'throttling (rateLimit, burstLimit) cap abuse. Attach an ACL per deployment where needed.');
  for (const method of restApi.methods) {
    const keyed = (method.node.defaultChild as apigateway.CfnMethod).apiKeyRequired === true;
    const why = keyed
      ? 'Clients are systems, not people: /v1 is authorized by API keys in a usage plan (apiKeyRequired), ' +
        'checked by API Gateway; the function checks no key itself (the `lambda` command has no --auth) (PLAN.md §0).'
      : 'Outside /v1 only /healthz, /readyz and /openapi.json answer (no data), and they are open in `serve` ' +
        'too; any other path is a 404 from the function.';
    acknowledge(method, 'AwsSolutions::AwsSolutions-APIG4', why);
    acknowledge(method, 'AwsSolutions::AwsSolutions-COG4', `No Cognito user pool: there are no end users. ${why}`);
  }
  const cloudWatchRole = restApi.node.tryFindChild('CloudWatchRole');
  if (cloudWatchRole) {
    acknowledge(cloudWatchRole,
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      "API Gateway's account-level logging role (needed for access logs) serves every REST API of the account " +
        'and region; AWS documents this managed policy for it, and narrowing it would break the others\' logs.');
  }
}

export function acknowledgeFindings(stack: NinjaOrdersStack): void {
  acknowledgeApi(stack);
  acknowledge(stack.backups.plan.node.findChild('Tables'),
    'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
    "AWS Backup's documented service role policy; the backup selection limits what it backs up to the six tables.");
  const roles = stack.functions.roles;
  acknowledge(roles.api, IAM5_ANY_RESOURCE, XRAY);
  acknowledge(roles.notifier, IAM5_ANY_RESOURCE, XRAY);
  acknowledge(roles.relay, IAM5_ANY_RESOURCE,
    `${XRAY} Also dynamodb:ListStreams, which the stream event source's poller needs and which takes no resource.`);
}

export function addNagChecks(app: App, stack: NinjaOrdersStack): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  acknowledgeFindings(stack);
}
