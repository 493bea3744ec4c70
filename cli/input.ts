import { statSync } from 'node:fs';
import demoAccount from '../demo/account.json';
import { InputFormatError } from '../lib/errors';
import { readSnapshot, snapshotItems } from '../lib/sources/snapshot';
import type { SourceResult } from '../lib/sources/source';
import { isTerraformJson, readTerraform } from '../lib/sources/terraform';
import { readTextFile } from '../lib/text-file';
import type { Output } from './context';
import type { LiveListingError } from './live';

/** Whether `--terraform PATH` names Terraform source (a folder, a `.tf` or `.tf.json` file) rather than `terraform show -json` output. */
export function isTerraformSourcePath(path: string): boolean {
  if (path.endsWith('.tf') || path.endsWith('.tf.json')) return true;
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function readJsonFile(file: string): unknown {
  const text = readTextFile(file);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputFormatError(
      `${file} is not JSON (${(error as Error).message.split('\n')[0]}); give the output of \`terraform show -json\` or of \`aws configservice\`.`,
      { cause: error },
    );
  }
}

export function readTerraformFile(file: string): SourceResult {
  const raw = readJsonFile(file);
  if (!isTerraformJson(raw) && snapshotItems(raw)) {
    throw new InputFormatError(`${file} holds AWS Config items, not \`terraform show -json\` output; use --snapshot ${file}.`);
  }
  return readTerraform(raw, file);
}

export function readSnapshotFile(file: string): SourceResult {
  const raw = readJsonFile(file);
  if (isTerraformJson(raw)) {
    throw new InputFormatError(`${file} is \`terraform show -json\` output, not AWS Config items; use --terraform ${file}.`);
  }
  return readSnapshot(raw, { kind: 'snapshot', file });
}

/** The file source the flags name (`--terraform`, `--snapshot`, `--demo`), or undefined for the live account. */
export function readFileSource(flags: { terraform?: string; snapshot?: string; demo?: boolean }): SourceResult | undefined {
  if (flags.terraform !== undefined) return readTerraformFile(flags.terraform);
  if (flags.snapshot !== undefined) return readSnapshotFile(flags.snapshot);
  if (flags.demo) return readSnapshot(demoAccount, { kind: 'demo' });
  return undefined;
}

/** One warning line per resource type a live listing could not read; the rest of the work goes on. */
export function warnListingErrors(errors: readonly LiveListingError[], stderr: Output): void {
  for (const error of errors) stderr.write(`driftwarden: warning: could not list ${error.resourceType} in ${error.region}: ${error.message}\n`);
}
