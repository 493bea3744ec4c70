import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { awsClientConfig } from '../../lib/aws/client-config';
import { readAggregator } from '../../lib/organization/aggregator';
import type { AnyRule } from '../../lib/rule';
import type { SourceResult } from '../../lib/sources/source';
import { defaultRegion } from '../aws';
import type { ScanFlags } from '../commands/scan';

/** `scan --aggregator NAME`: the aggregator lives in one region of the caller's account; `--region` names it. */
export async function readAggregatorFromFlags(aggregator: string, flags: ScanFlags, rules: readonly AnyRule[]): Promise<SourceResult> {
  const region = (flags.region ?? []).flatMap((value) => value.split(',')).map((value) => value.trim()).find(Boolean) ?? (await defaultRegion(flags.profile));
  const config = new ConfigServiceClient(awsClientConfig({ region, ...(flags.profile !== undefined && { profile: flags.profile }) }));
  try {
    return await readAggregator(config, aggregator, rules);
  } finally {
    config.destroy();
  }
}
