// The front door: a REST API (payload 1.0, as the original) whose every path goes to the api
// function through a proxy integration, so the binary's router, gateway and problem+json answer
// exactly as `serve` does. API Gateway checks the API keys (a usage plan) on /v1; the function
// checks no key itself (the `lambda` command has no --auth). /healthz, /readyz and /openapi.json stay open, as in `serve`.
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { StackConfig } from './config';

export const STAGE = 'prod';

export class Api extends Construct {
  readonly restApi: apigateway.RestApi;
  readonly usagePlan: apigateway.UsagePlan;
  readonly apiKey: apigateway.IApiKey;

  constructor(scope: Construct, id: string, config: StackConfig, handler: lambda.IFunction) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: config.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // One integration for every method; no test-invoke permissions (console only).
    const integration = new apigateway.LambdaIntegration(handler, { proxy: true, allowTestInvoke: false });
    this.restApi = new apigateway.RestApi(this, 'Rest', {
      restApiName: `${config.prefix}ninja-orders`,
      description: 'ninja-orders: users, orders and their notifications',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Every body reaches the function base64-encoded, as its bytes: JSON with any charset,
      // and hostile input the function must refuse itself, are passed on unchanged.
      binaryMediaTypes: ['*/*'],
      // Access logs need the account's (per region) CloudWatch role; it is a singleton.
      cloudWatchRole: config.apiAccountRole,
      cloudWatchRoleRemovalPolicy: config.apiAccountRole ? RemovalPolicy.RETAIN : undefined,
      deployOptions: {
        stageName: STAGE,
        throttlingRateLimit: config.rateLimit,
        throttlingBurstLimit: config.burstLimit,
        tracingEnabled: true,
        metricsEnabled: true,
        // Errors only, and never the bodies: a user carries its webhook secret.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    const open: apigateway.MethodOptions = { apiKeyRequired: false };
    const keyed: apigateway.MethodOptions = { apiKeyRequired: true };
    const root = this.restApi.root;
    root.addMethod('ANY', integration, open);
    root.addProxy({ defaultIntegration: integration, defaultMethodOptions: open, anyMethod: true });
    const v1 = root.addResource('v1');
    v1.addMethod('ANY', integration, keyed);
    v1.addProxy({ defaultIntegration: integration, defaultMethodOptions: keyed, anyMethod: true });

    // The stage's throttling caps the API as a whole; the plan's applies per key.
    this.usagePlan = this.restApi.addUsagePlan('Plan', {
      name: `${config.prefix}ninja-orders`,
      description: 'ninja-orders clients',
      throttle: { rateLimit: config.rateLimit, burstLimit: config.burstLimit },
      apiStages: [{ api: this.restApi, stage: this.restApi.deploymentStage }],
    });
    // API Gateway generates the key's value; read it with
    // `aws apigateway get-api-key --api-key <ApiKeyId> --include-value`.
    this.apiKey = this.restApi.addApiKey('Key', { apiKeyName: `${config.prefix}ninja-orders` });
    this.usagePlan.addApiKey(this.apiKey);
  }
}
