import type { AnyRule } from '../rule';
import type { ScanReport } from '../scan';
import { renderAsff } from './asff';
import type { OutputFormat } from './common';
import { renderGithub } from './github';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderJunit } from './junit';
import { renderMarkdown } from './markdown';
import { renderOcsf } from './ocsf';
import { renderSarif } from './sarif';
import { renderTable } from './table';

export interface RenderOptions {
  rules: readonly AnyRule[];
  toolVersion: string;
  /** The project's home page, SARIF's `informationUri`. */
  informationUri: string;
  generatedAt: Date;
  /** table: ANSI colour (a terminal, and NO_COLOR unset). */
  color: boolean;
  /** table: also list compliant, exempt and not-applicable evaluations. */
  all: boolean;
  /** asff: the account and region of findings whose source does not say. */
  accountId?: string;
  region?: string;
}

/** The report in one format: the one place a format name meets its renderer. */
export function renderReport(format: OutputFormat, report: ScanReport, options: RenderOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, { color: options.color, all: options.all, rules: options.rules });
    case 'json':
      return renderJson(report, options.rules);
    case 'sarif':
      return renderSarif(report, options.rules, options.toolVersion, options.informationUri);
    case 'html':
      return renderHtml(report, options.generatedAt);
    case 'junit':
      return renderJunit(report, options.rules, options.generatedAt);
    case 'markdown':
      return renderMarkdown(report, options.rules);
    case 'github':
      return renderGithub(report, options.rules);
    case 'asff':
      return renderAsff(report, options.rules, { generatedAt: options.generatedAt, ...(options.accountId !== undefined && { accountId: options.accountId }), ...(options.region !== undefined && { region: options.region }) });
    case 'ocsf':
      return renderOcsf(report, options.rules, options.toolVersion, options.generatedAt);
  }
}

/** The format a file name implies (`--output report.sarif`), or undefined. */
export function formatForFile(file: string): OutputFormat | undefined {
  const name = file.toLowerCase();
  const byEnding: [string, OutputFormat][] = [
    ['.sarif.json', 'sarif'],
    ['.asff.json', 'asff'],
    ['.ocsf.json', 'ocsf'],
    ['.sarif', 'sarif'],
    ['.json', 'json'],
    ['.html', 'html'],
    ['.htm', 'html'],
    ['.xml', 'junit'],
    ['.md', 'markdown'],
    ['.txt', 'table'],
  ];
  return byEnding.find(([ending]) => name.endsWith(ending))?.[1];
}
