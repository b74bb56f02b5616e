// The REST API: every path proxied to the api function, exact bytes (binary media types), keys
// on /v1 with a usage plan, stage throttling from context, access logs and tracing.
import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './synth';

describe('api', () => {
  const { template } = synth();
  const apiFn = Object.entries(template.findResources('AWS::Lambda::Function')).find(
    ([, f]) => f.Properties.Handler === 'api',
  )![0];

  test('one regional REST API that passes every body as bytes', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'ninja-ninja-orders',
      BinaryMediaTypes: ['*/*'],
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  test('root, {proxy+}, /v1 and /v1/{proxy+}: ANY, a Lambda proxy integration, keys on /v1 only', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathOf = (ref: any): string => {
      if (ref['Fn::GetAtt']) return '';
      const r = resources[ref.Ref].Properties;
      return `${pathOf(r.ParentId)}/${r.PathPart}`;
    };
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => ({
      path: pathOf(m.Properties.ResourceId) || '/',
      method: m.Properties.HttpMethod,
      keyed: m.Properties.ApiKeyRequired === true,
      integration: m.Properties.Integration,
    }));
    expect(methods.map(({ path, method, keyed }) => ({ path, method, keyed }))).toEqual(
      expect.arrayContaining([
        { path: '/', method: 'ANY', keyed: false },
        { path: '/{proxy+}', method: 'ANY', keyed: false },
        { path: '/v1', method: 'ANY', keyed: true },
        { path: '/v1/{proxy+}', method: 'ANY', keyed: true },
      ]),
    );
    expect(methods).toHaveLength(4);
    for (const { integration } of methods) {
      expect(integration.Type).toBe('AWS_PROXY');
      expect(integration.IntegrationHttpMethod).toBe('POST');
      expect(JSON.stringify(integration.Uri)).toContain(apiFn);
    }
  });

  test('the stage: the original throttling by default (rate 2, burst 10), tracing, error logs without bodies, access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
      MethodSettings: [
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 2,
          ThrottlingBurstLimit: 10,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        },
      ],
    });
  });

  test('a usage plan on the stage with the same throttling, and one key in it', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 1);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 2, BurstLimit: 10 },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyType: 'API_KEY' });
  });

  test('throttling from context (-c rateLimit=… -c burstLimit=…), checked', () => {
    const other = synth({ rateLimit: '50', burstLimit: '100' }).template;
    other.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 })],
    });
    other.hasResourceProperties('AWS::ApiGateway::UsagePlan', { Throttle: { RateLimit: 50, BurstLimit: 100 } });
    expect(() => synth({ rateLimit: '10', burstLimit: '5' })).toThrow(/burstLimit/);
    expect(() => synth({ rateLimit: 'fast' })).toThrow(/rateLimit/);
  });

  test("the account's CloudWatch role: on by default, off with -c apiAccountRole=false", () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    synth({ apiAccountRole: 'false' }).template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('API Gateway may invoke the api function, per method, and nothing else', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (p) => p.Properties.Principal === 'apigateway.amazonaws.com',
    );
    expect(permissions).toHaveLength(4);
    for (const p of permissions) expect(p.Properties.FunctionName).toEqual({ 'Fn::GetAtt': [apiFn, 'Arn'] });
  });
});
