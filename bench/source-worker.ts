/**
 * Terraform source scans in a process of their own. `node source-worker.js source <resources> <files> <dir>`
 * writes a generated configuration (units of ten resources, as in bench/plan.ts, spread over `files`
 * files), then times `scan --terraform DIR` (parse, evaluate, judge) and writes the plan JSON the
 * source evaluates to beside it. `node source-worker.js plan <dir>` times the plan scan of that JSON:
 * the same resources, read the way `terraform show -json` output is. Prints one JSON line.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTerraformFile } from '../cli/input';
import { scan } from '../lib/scan';
import { parseSettings } from '../lib/settings';
import { readTerraformSource } from '../lib/sources/terraform-source';
import { SourcePlanner } from '../lib/sources/terraform-source/plan';
import { RULES } from '../rules';
import { BENCH_NOW } from './synthetic';

export interface SourceWorkerResult {
  mode: 'source' | 'plan';
  resources: number;
  evaluations: number;
  nonCompliant: number;
  /** The first scan in a fresh process (for a source scan, loading the parser included). */
  firstMs: number;
  /** Fastest of the following rounds. */
  bestMs: number;
  peakRssMb: number;
}

const ROUNDS = 3;
const RESOURCES_PER_UNIT = 10;

function unit(i: number): string {
  const open = i % 10 === 0;
  return `locals {
  tags_${i} = merge(local.common_tags, { Unit = "${i}" })
}

resource "aws_vpc" "u${i}" {
  cidr_block = "10.\${${i} % 256}.0.0/16"
  tags       = local.tags_${i}
}

resource "aws_flow_log" "u${i}" {
  vpc_id               = aws_vpc.u${i}.id
  traffic_type         = ${i % 7 === 0 ? '"REJECT"' : '"ALL"'}
  log_destination_type = "s3"
  log_destination      = "arn:aws:s3:::flow-logs-${i}"
}

resource "aws_security_group" "u${i}" {
  name   = "app-${i}"
  vpc_id = aws_vpc.u${i}.id
  tags   = local.tags_${i}

  dynamic "ingress" {
    for_each = var.public_ports
    content {
      description = ingress.key
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ${open ? '["0.0.0.0/0"]' : 'var.admin_cidrs'}
  }
}

resource "aws_ebs_volume" "u${i}" {
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = ${i % 9 !== 0}
  tags              = local.tags_${i}
}

resource "aws_s3_bucket" "u${i}" {
  bucket = format("bench-assets-%05d", ${i})
  tags   = local.tags_${i}
}

resource "aws_s3_bucket_server_side_encryption_configuration" "u${i}" {
  bucket = aws_s3_bucket.u${i}.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_sns_topic" "u${i}" {
  name              = "events-${i}"
  kms_master_key_id = ${i % 5 === 0 ? 'null' : '"alias/aws/sns"'}
}

resource "aws_cloudwatch_log_group" "u${i}" {
  name              = "/app/service-${i}"
  retention_in_days = 30
  kms_key_id        = ${i % 4 === 0 ? 'null' : 'var.log_key_arn'}
}

resource "aws_secretsmanager_secret" "u${i}" {
  name = "app/db-${i}"
}

resource "aws_secretsmanager_secret_rotation" "u${i}" {
  secret_id           = aws_secretsmanager_secret.u${i}.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate"
  rotation_rules {
    automatically_after_days = ${i % 6 === 0 ? 120 : 30}
  }
}
`;
}

const VARIABLES = `variable "public_ports" {
  type    = map(number)
  default = { https = 443 }
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["10.0.0.0/8"]
}

variable "log_key_arn" {
  type    = string
  default = "arn:aws:kms:eu-west-1:123456789012:key/1111aaaa-2222-4333-8444-555566667777"
}

locals {
  common_tags = { ManagedBy = "terraform", Project = "bench" }
}
`;

/** A configuration of `resources` resources (whole units of ten) in `files` files, plus variables.tf. */
export function writeConfiguration(dir: string, resources: number, files: number): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const units = Math.ceil(resources / RESOURCES_PER_UNIT);
  const perFile = Math.ceil(units / files);
  for (let file = 0; file < files; file++) {
    const text = Array.from({ length: Math.min(perFile, units - file * perFile) }, (_, offset) => unit(file * perFile + offset)).join('\n');
    writeFileSync(join(dir, `unit-${String(file).padStart(3, '0')}.tf`), text);
  }
  writeFileSync(join(dir, 'variables.tf'), VARIABLES);
}

async function timed<T>(task: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await task();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const settings = parseSettings({}, RULES);
  let dir: string;
  let scanOnce: () => Promise<ReturnType<typeof scan>>;
  if (mode === 'source') {
    const [resources, files, target] = args;
    dir = target!;
    writeConfiguration(dir, Number(resources), Number(files));
    scanOnce = async () => scan(await readTerraformSource(dir), { rules: RULES, settings, now: BENCH_NOW });
  } else if (mode === 'plan') {
    dir = args[0]!;
    scanOnce = async () => scan(readTerraformFile(join(dir, 'plan.json')), { rules: RULES, settings, now: BENCH_NOW });
  } else {
    throw new Error('usage: source-worker source <resources> <files> <dir> | plan <dir>');
  }
  const first = await timed(scanOnce);
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS; round++) rounds.push((await timed(scanOnce)).ms);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  if (mode === 'source') {
    // The plan this source evaluates to, for the plan scan of the same resources.
    const { plan } = await new SourcePlanner(dir).plan(new Map());
    writeFileSync(join(dir, 'plan.json'), JSON.stringify(plan));
  }
  const result: SourceWorkerResult = {
    mode: mode as SourceWorkerResult['mode'],
    resources: first.value.summary.resources,
    evaluations: first.value.summary.evaluations,
    nonCompliant: first.value.summary.nonCompliant,
    firstMs: first.ms,
    bestMs: Math.min(...rounds),
    peakRssMb,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
