// The one stack: tables, bus, functions and their triggers, the API, alarms and backups, wired
// together, plus the outputs the e2e suite and the original's tests read.
import { CfnOutput, Stack, StackProps, Tags } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { Alarms } from './alarms';
import { Api } from './api';
import { Backups } from './backup';
import { Bus } from './bus';
import { StackConfig } from './config';
import { Functions, TIMEOUTS } from './functions';
import { grantPublish, grantTableAccess } from './permissions';
import { TABLE_NAMES, Tables } from './tables';
import { Triggers } from './triggers';

// `api_keys` → `ApiKeys`: the CloudFormation output name of a table.
function pascal(name: string): string {
  return name.split('_').map((part) => part[0].toUpperCase() + part.slice(1)).join('');
}

export class NinjaOrdersStack extends Stack {
  readonly tables: Tables;
  readonly bus: Bus;
  readonly functions: Functions;
  readonly triggers: Triggers;
  readonly api: Api;
  readonly alarms: Alarms;
  readonly backups: Backups;

  constructor(scope: Construct, id: string, config: StackConfig, props?: StackProps) {
    super(scope, id, {
      description: 'ninja-orders: the order service as API Gateway + Lambda + DynamoDB + SNS/SQS (issue 11)',
      ...props,
    });
    Tags.of(this).add('service_name', 'ninja'); // as the original
    if (config.prefix !== '') Tags.of(this).add('ninja_prefix', config.prefix);

    this.tables = new Tables(this, 'Tables', config.prefix);
    this.bus = new Bus(this, 'Bus', { prefix: config.prefix, notifierTimeout: TIMEOUTS.notifier });
    this.functions = new Functions(this, 'Functions', { config, topicArn: this.bus.topic.topicArn });
    grantTableAccess(this.tables, this.functions);
    grantPublish(this.bus, this.functions);
    this.triggers = new Triggers(this, 'Triggers', this.tables, this.bus, this.functions);
    this.api = new Api(this, 'Api', config, this.functions.byHandler.api);
    this.alarms = new Alarms(this, 'Alarms', {
      config,
      functions: this.functions,
      restApi: this.api.restApi,
      deadLetters: this.bus.notifierDeadLetters,
    });
    this.backups = new Backups(this, 'Backups', config, this.tables);

    const url = this.api.restApi.url;
    new CfnOutput(this, 'ApiUrl', { value: url, description: 'the service root; /v1 needs the x-api-key header' });
    // The original's names (two APIs there, one here): its e2e tests read them.
    new CfnOutput(this, 'OrdersApigateway', { value: url, description: 'the original name of ApiUrl' });
    new CfnOutput(this, 'UsersApigateway', { value: url, description: 'the original name of ApiUrl' });
    new CfnOutput(this, 'ApiKeyId', {
      value: this.api.apiKey.keyId,
      description: 'aws apigateway get-api-key --api-key <this> --include-value',
    });
    for (const name of TABLE_NAMES) {
      new CfnOutput(this, `${pascal(name)}Table`, { value: this.tables.byName[name].tableName });
    }
    new CfnOutput(this, 'EventsTopicArn', { value: this.bus.topic.topicArn });
    new CfnOutput(this, 'NotifierQueueUrl', { value: this.bus.notifierQueue.queueUrl });
    new CfnOutput(this, 'NotifierDeadLetterQueueUrl', { value: this.bus.notifierDeadLetters.queueUrl });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });
  }
}
