#!/usr/bin/env node
/*
 * Writes lib/sources/terraform-source/resource-schema.json (computed attributes and nested blocks of the
 * resource types driftwarden reads) from the AWS provider's schema:
 *   terraform providers schema -json > schema.json && node scripts/terraform-resource-schema.js schema.json
 * A plan marks a computed attribute the configuration leaves unset as known only after apply
 * (`after_unknown`), and leaves an unset optional attribute null; the source scan needs to know
 * which is which to write the plan Terraform would.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const PROVIDER = 'registry.terraform.io/hashicorp/aws';

/**
 * The types lib/sources/terraform.ts reads: only their values decide verdicts. Add a type here (and
 * run this script) when the reader learns it; other types' unset attributes read as unknown.
 */
const TYPES = [
  'aws_cloudwatch_log_group',
  'aws_db_instance',
  'aws_ebs_volume',
  'aws_efs_file_system',
  'aws_flow_log',
  'aws_rds_cluster',
  'aws_s3_bucket',
  'aws_s3_bucket_server_side_encryption_configuration',
  'aws_secretsmanager_secret',
  'aws_secretsmanager_secret_rotation',
  'aws_security_group',
  'aws_security_group_rule',
  'aws_sns_topic',
  'aws_vpc',
  'aws_vpc_security_group_ingress_rule',
];

/**
 * `{ a: [computed attribute names], b: { nested block name: same shape } }`, empty parts left out.
 * Every nested block is listed: a `.tf.json` body tells a block from an object attribute only by
 * the schema.
 */
function computedOf(block) {
  const attributes = Object.entries(block.attributes ?? {})
    .filter(([, attribute]) => attribute.computed)
    .map(([name]) => name)
    .sort();
  const blocks = {};
  for (const [name, nested] of Object.entries(block.block_types ?? {})) {
    blocks[name] = computedOf(nested.block);
  }
  return { ...(attributes.length > 0 && { a: attributes }), ...(Object.keys(blocks).length > 0 && { b: blocks }) };
}

const schema = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const provider = schema.provider_schemas[PROVIDER];
const out = {};
for (const type of TYPES) {
  out[type] = computedOf(provider.resource_schemas[type].block);
}
writeFileSync(join(__dirname, '../lib/sources/terraform-source/resource-schema.json'), `${JSON.stringify(out)}\n`);
