// cdk-nag AwsSolutions with zero unacknowledged findings: the synth (which runs the plugin, and
// aws-cdk-lib's own CloudFormation rules) succeeds, every acknowledgement is listed here with the
// construct it is on, and without them the same synth fails.
import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { buildApp } from './synth';

const EXPECTED = [
  'Api/Rest AwsSolutions::AwsSolutions-APIG2',
  'Api/Rest/CloudWatchRole AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  'Api/Rest/Default/ANY AwsSolutions::AwsSolutions-APIG4',
  'Api/Rest/Default/ANY AwsSolutions::AwsSolutions-COG4',
  'Api/Rest/Default/v1/ANY AwsSolutions::AwsSolutions-APIG4',
  'Api/Rest/Default/v1/ANY AwsSolutions::AwsSolutions-COG4',
  'Api/Rest/Default/v1/{proxy+}/ANY AwsSolutions::AwsSolutions-APIG4',
  'Api/Rest/Default/v1/{proxy+}/ANY AwsSolutions::AwsSolutions-COG4',
  'Api/Rest/Default/{proxy+}/ANY AwsSolutions::AwsSolutions-APIG4',
  'Api/Rest/Default/{proxy+}/ANY AwsSolutions::AwsSolutions-COG4',
  'Api/Rest/DeploymentStage.prod AwsSolutions::AwsSolutions-APIG3',
  'Backups/Plan/Tables AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
  'Functions/apiRole AwsSolutions::AwsSolutions-IAM5[Resource::*]',
  'Functions/notifierRole AwsSolutions::AwsSolutions-IAM5[Resource::*]',
  'Functions/relayRole AwsSolutions::AwsSolutions-IAM5[Resource::*]',
];

function acknowledgements(root: IConstruct): { where: string; id: string; reason: string }[] {
  const found = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      // The metadata maps each acknowledged id to its reason.
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ where: construct.node.path.replace(/^NinjaOrders\//, ''), id, reason });
      }
    }
  }
  return found;
}

describe('cdk-nag', () => {
  test('AwsSolutions: the synth passes, every finding acknowledged, none left over', () => {
    const { app, stack } = buildApp({}, { nag: true });
    const assembly = app.synth(); // throws on any violation
    const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find((r: any) => r.pluginName === 'AwsSolutions');
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    const found = acknowledgements(stack);
    expect(found.map((a) => `${a.where} ${a.id}`).sort()).toEqual([...EXPECTED].sort());
    // Every acknowledgement was used: a stale one would hide nothing and explain nothing.
    const suppressed = new Set(nag.suppressedViolations.map((v: any) => v.acknowledgedId));
    for (const id of new Set(found.map((a) => a.id))) expect(suppressed).toContain(id);
  });

  test('each acknowledgement carries a reason of its own', () => {
    const { stack } = buildApp({}, { nag: true });
    for (const { id, reason } of acknowledgements(stack)) {
      expect(reason.length).toBeGreaterThan(60);
      expect(reason).not.toMatch(/TODO|FIXME/i);
      expect(id).toMatch(/^AwsSolutions::AwsSolutions-/);
    }
  });

  test('without the acknowledgements the same checks fail the synth', () => {
    const { app } = buildApp({ '@aws-cdk/core:validateAgainstDefaultRules': false });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/[Vv]alidation/);
  });

  test('with -c apiAccountRole=false the CloudWatch role and its acknowledgement are gone', () => {
    const { app, stack } = buildApp({ apiAccountRole: 'false', '@aws-cdk/core:validateAgainstDefaultRules': false }, { nag: true });
    app.synth();
    expect(acknowledgements(stack).map((a) => a.where)).not.toContain('Api/Rest/CloudWatchRole');
  });
});
