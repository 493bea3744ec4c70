import demoAccount from '../../demo/account.json';
import type { Evaluation } from '../../lib/evaluate';
import { renderReport, type RenderOptions } from '../../lib/report/index';
import { scan, type ScanReport } from '../../lib/scan';
import { parseSettings } from '../../lib/settings';
import { readSnapshot } from '../../lib/sources/snapshot';
import { RULES } from '../../rules';
import { NOW } from '../helpers';

const OPTIONS: RenderOptions = { rules: RULES, toolVersion: '0.0.0-test', informationUri: 'https://example.com/driftwarden', generatedAt: NOW, color: false, all: false, accountId: '123456789012', region: 'eu-west-1' };

/** The demo report with one verdict the input could not decide, one located finding and one incomplete read. */
function reportWithUnknown(): ScanReport {
  const report = scan(readSnapshot(demoAccount, { kind: 'demo' }), { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
  const unknown: Evaluation = {
    ruleId: 'encryption-at-rest',
    severity: 'high',
    resourceType: 'AWS::EC2::Volume',
    resourceId: 'vol-0c5e1a7b9d3f24681',
    address: 'aws_ebs_volume.data',
    file: 'infra/storage.tf',
    line: 12,
    compliance: 'INSUFFICIENT_DATA',
    annotation: 'EBS volume vol-0c5e1a7b9d3f24681: encryption is not known until apply.',
    orderingTimestamp: NOW.toISOString(),
  };
  report.evaluations.push(unknown);
  report.summary.insufficientData += 1;
  report.summary.incomplete = [{ resourceType: 'AWS::RDS::DBCluster', region: 'eu-west-1', reason: 'AccessDenied on DescribeDBClusters' }];
  return report;
}

describe('Report formats: the unknown verdict, locations and incomplete scans', () => {
  const report = reportWithUnknown();

  it.each([
    ['table', ['UNKNOWN (1)', 'infra/storage.tf:12', 'Not read: AWS::RDS::DBCluster in eu-west-1 (AccessDenied on DescribeDBClusters).']],
    ['markdown', ['### Unknown', 'infra/storage.tf:12', '**Incomplete scan.**', 'AccessDenied on DescribeDBClusters']],
    ['github', ['::notice file=infra/storage.tf,line=12,title=driftwarden encryption-at-rest (unknown)%3A aws_ebs_volume.data::Unknown: EBS volume', '::error title=driftwarden incomplete scan::Not read: AWS::RDS::DBCluster']],
    ['junit', ['skipped message="unknown: EBS volume', '<error message="Not read: AWS::RDS::DBCluster', 'errors="1"']],
  ])('%s shows the unknown verdict, its location and what was not read', (format, expected) => {
    const text = renderReport(format as Parameters<typeof renderReport>[0], report, OPTIONS);
    for (const part of expected) expect(text).toContain(part);
  });

  it('SARIF gives the unknown verdict level note at its file and line', () => {
    const log = JSON.parse(renderReport('sarif', report, OPTIONS));
    const result = log.runs[0].results.find((candidate: { properties: { compliance: string } }) => candidate.properties.compliance === 'INSUFFICIENT_DATA');
    expect(result).toMatchObject({ level: 'note', locations: [{ physicalLocation: { artifactLocation: { uri: 'infra/storage.tf' }, region: { startLine: 12 } } }] });
  });

  it('ASFF calls it WARNING and OCSF status Unknown; neither counts it as passed', () => {
    const asff = JSON.parse(renderReport('asff', report, OPTIONS)).find((finding: { Resources: { Id: string }[] }) => finding.Resources[0]!.Id === 'vol-0c5e1a7b9d3f24681');
    expect(asff).toMatchObject({ Compliance: { Status: 'WARNING' }, Severity: { Label: 'INFORMATIONAL' }, Description: expect.stringMatching(/^Unknown: /) });
    const ocsf = JSON.parse(renderReport('ocsf', report, OPTIONS)).find((event: { resources: { uid: string }[] }) => event.resources[0]!.uid === 'vol-0c5e1a7b9d3f24681');
    expect(ocsf).toMatchObject({ status_id: 99, status: 'Unknown', unmapped: { verdict: 'unknown', terraform_address: 'aws_ebs_volume.data' } });
  });

  it('renders a table of 150,000 findings without overflowing the stack', () => {
    const big = scan(readSnapshot(demoAccount, { kind: 'demo' }), { rules: RULES, settings: parseSettings({}, RULES), now: NOW });
    const template = big.evaluations.find((evaluation) => evaluation.ruleId === 'vpc-flow-logs' && evaluation.compliance === 'NON_COMPLIANT')!;
    big.evaluations = Array.from({ length: 150_000 }, (_, index) => ({ ...template, resourceId: `vpc-${index.toString(16).padStart(17, '0')}` }));
    big.summary.nonCompliant = 150_000;
    big.summary.findingsBySeverity = { critical: 0, high: 0, medium: 150_000, low: 0 };
    const text = renderReport('table', big, OPTIONS);
    expect(text).toContain('MEDIUM (150000)');
    expect(text.split('\n').length).toBeGreaterThan(300_000);
  });
});
