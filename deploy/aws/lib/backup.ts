// The periodic backup the original called "straightforward" but never scheduled: AWS Backup takes
// a daily snapshot of every table into a vault that outlives the stack. Point-in-time recovery
// (on every table) covers the last 35 days to the second; these snapshots are the copies a
// table's deletion or a bad restore cannot take with it.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { StackConfig } from './config';
import { Tables } from './tables';

export class Backups extends Construct {
  readonly plan: backup.BackupPlan;

  constructor(scope: Construct, id: string, config: StackConfig, tables: Tables) {
    super(scope, id);
    const vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: `${config.prefix}ninja-orders`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: `${config.prefix}ninja-orders`,
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'Daily',
          // 03:00 UTC, off the busy hours of most of the world's daytime.
          scheduleExpression: events.Schedule.cron({ hour: '3', minute: '0' }),
          deleteAfter: Duration.days(config.backupRetentionDays),
        }),
      ],
    });
    this.plan.addSelection('Tables', {
      backupSelectionName: 'tables',
      resources: tables.all.map((table) => backup.BackupResource.fromDynamoDbTable(table)),
    });
  }
}
