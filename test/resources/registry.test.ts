import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE, ENCRYPTED_RESOURCE_TYPES, RESOURCE_TYPES, terraformDefinition } from '../../resources';

const FOLDER = join(__dirname, '../../resources');
/** Files of the folder that are not resource types. */
const NOT_TYPES = ['index.ts', 'shared.ts'];

const ADDRESS = { resourceId: 'id-0123', resourceName: 'name-0123', accountId: '123456789012', region: 'eu-west-1' };

describe('Resource type catalogue', () => {
  it('lists every file of resources/ once, and each type once', async () => {
    const files = readdirSync(FOLDER).filter((file) => file.endsWith('.ts') && !NOT_TYPES.includes(file));
    const fromFiles = await Promise.all(files.map(async (file) => ((await import(join(FOLDER, file))) as { default: { type: string } }).default.type));
    expect([...fromFiles].sort()).toEqual([...RESOURCE_TYPES].sort());
    expect(new Set(RESOURCE_TYPES).size).toBe(CATALOGUE.length);
  });

  it('gives every encrypted type a catalogue entry', () => {
    for (const type of ENCRYPTED_RESOURCE_TYPES) expect(RESOURCE_TYPES).toContain(type);
  });

  describe.each(CATALOGUE.map((entry) => [entry.type, entry] as const))('%s', (type, entry) => {
    it('is named like AWS Config names it and has a label', () => {
      expect(type).toMatch(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/);
      expect(entry.label.length).toBeGreaterThan(2);
    });

    it('declares the IAM actions of its live listing and reading', () => {
      expect(entry.live.permissions.length).toBeGreaterThan(0);
      for (const action of entry.live.permissions) expect(action).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z]+$/);
    });

    it('sends the largest page size of each listing API it calls', () => {
      expect(Object.keys(entry.live.pageSizes).length).toBeGreaterThan(0);
      for (const [operation, size] of Object.entries(entry.live.pageSizes)) {
        expect(operation).toMatch(/^[A-Za-z0-9]+:[A-Z][A-Za-z]+$/);
        expect(Number.isInteger(size) && size > 0).toBe(true);
      }
    });

    it('counts the fewest calls of an empty and of a full region', () => {
      expect(Object.values(entry.live.minimumCalls({ resources: 0 })).every((calls) => calls >= 1)).toBe(true);
      const full = entry.live.minimumCalls({ resources: 5000 });
      expect(Object.keys(full).length).toBeGreaterThan(0);
      for (const operation of Object.keys(full)) expect(operation).toMatch(/^[A-Za-z0-9]+:[A-Z][A-Za-z]+$/);
    });

    it('maps at least one Terraform resource type, and no Terraform type belongs to two entries', () => {
      const terraformTypes = [...Object.keys(entry.terraform.resources), ...Object.keys(entry.terraform.related ?? {})];
      expect(Object.keys(entry.terraform.resources).length).toBeGreaterThan(0);
      for (const terraformType of terraformTypes) {
        expect(terraformType).toMatch(/^aws_[a-z0-9_]+$/);
        expect(terraformDefinition(terraformType)?.definition.type).toBe(type);
      }
      for (const attribute of Object.values(entry.terraform.related ?? {})) expect(attribute).toMatch(/^[a-z_]+$/);
    });

    it('links to a console page in the resource region, and builds an ARN of its own service where it can', () => {
      const url = entry.consoleUrl(ADDRESS);
      expect(url).toMatch(/^https:\/\/[a-z0-9.-]*console\.aws\.amazon\.com\//);
      expect(url).toContain('eu-west-1');
      const arn = entry.arn(ADDRESS);
      if (arn !== undefined) expect(arn).toMatch(/^arn:aws:[a-z0-9-]+:/);
    });
  });
});
