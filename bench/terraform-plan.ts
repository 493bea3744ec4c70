import { performance } from 'node:perf_hooks';
import { scan } from '../lib/scan';
import { parseSettings } from '../lib/settings';
import { readTerraform } from '../lib/sources/terraform';
import { RULES } from '../rules';

/**
 * Reading and scanning a 10,000-resource plan should cost at most twice its JSON.parse: the scan is
 * linear and allocates little beyond its evaluations. Prints both times and the ratio.
 */

const RESOURCES = 10_000;

function syntheticPlan(count: number): string {
  const changes = [];
  for (let index = 0; index < count; index++) {
    const kind = index % 4;
    const address = `module.m${index % 50}.aws_${['security_group', 'ebs_volume', 's3_bucket', 'vpc'][kind]}.r[${index}]`;
    const after =
      kind === 0
        ? { id: `sg-${index}`, name: `sg-${index}`, vpc_id: 'vpc-1', ingress: [{ cidr_blocks: ['0.0.0.0/0'], description: '', from_port: 443, ipv6_cidr_blocks: [], prefix_list_ids: [], protocol: 'tcp', security_groups: [], self: false, to_port: 443 }], tags_all: { Project: 'bench' } }
        : kind === 1
          ? { id: `vol-${index}`, encrypted: index % 3 === 0, kms_key_id: '', tags_all: { Project: 'bench' } }
          : kind === 2
            ? { id: `bucket-${index}`, bucket: `bucket-${index}`, tags_all: { Project: 'bench' } }
            : { id: `vpc-${index}`, cidr_block: '10.0.0.0/16', tags_all: { Project: 'bench' } };
    changes.push({ address, module_address: `module.m${index % 50}`, mode: 'managed', type: `aws_${['security_group', 'ebs_volume', 's3_bucket', 'vpc'][kind]}`, name: 'r', index, change: { actions: ['no-op'], before: after, after, after_unknown: {} } });
  }
  return JSON.stringify({ format_version: '1.2', terraform_version: '1.9.8', resource_changes: changes, configuration: { root_module: {} } });
}

/** Fastest of `rounds` timings of each task, interleaved so a busy machine slows both alike. */
function fastest(rounds: number, tasks: (() => unknown)[]): number[] {
  const times = tasks.map(() => Infinity);
  for (let round = 0; round < rounds; round++) {
    tasks.forEach((task, index) => {
      const start = performance.now();
      task();
      times[index] = Math.min(times[index]!, performance.now() - start);
    });
  }
  return times;
}

const text = syntheticPlan(RESOURCES);
const settings = parseSettings({}, RULES);
const now = new Date();
const parsed = JSON.parse(text);
const source = readTerraform(parsed, 'bench.json');
const [parseMs, readMs, scanMs] = fastest(30, [
  () => JSON.parse(text),
  () => readTerraform(parsed, 'bench.json'),
  () => scan(source, { rules: RULES, settings, now }),
]) as [number, number, number];
console.log(
  `${RESOURCES} resources, ${(text.length / 1e6).toFixed(1)} MB: JSON.parse ${parseMs.toFixed(1)} ms; ` +
    `read ${readMs.toFixed(1)} ms + scan ${scanMs.toFixed(1)} ms = ${((readMs + scanMs) / parseMs).toFixed(2)}× JSON.parse`,
);
