// AWS Backup: a daily plan (retention from context) into a retained vault, selecting all six tables.
import { synth } from './synth';

describe('backup', () => {
  const { template } = synth();

  test('a daily rule at 03:00 UTC kept 35 days, into the vault', () => {
    template.resourceCountIs('AWS::Backup::BackupPlan', 1);
    const vault = Object.keys(template.findResources('AWS::Backup::BackupVault'))[0];
    template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: 'ninja-ninja-orders',
        BackupPlanRule: [
          {
            RuleName: 'Daily',
            ScheduleExpression: 'cron(0 3 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            TargetBackupVault: { 'Fn::GetAtt': [vault, 'BackupVaultName'] },
          },
        ],
      },
    });
  });

  test('the vault outlives the stack', () => {
    const [vault] = Object.values(template.findResources('AWS::Backup::BackupVault'));
    expect(vault.Properties.BackupVaultName).toBe('ninja-ninja-orders');
    expect(vault.DeletionPolicy).toBe('Retain');
  });

  test('the selection is exactly the six tables', () => {
    const [selection] = Object.values(template.findResources('AWS::Backup::BackupSelection'));
    const tables = Object.keys(template.findResources('AWS::DynamoDB::Table')).sort();
    const selected = selection.Properties.BackupSelection.Resources.map((r: any) => r['Fn::GetAtt'][0]).sort();
    expect(selected).toEqual(tables);
    expect(selected).toHaveLength(6);
  });

  test('retention from context', () => {
    synth({ backupRetentionDays: '90' }).template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [{ Lifecycle: { DeleteAfterDays: 90 } }] },
    });
  });
});
