import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface ZipEntry {
  name: string;
  date: Date;
  mode: number;
  data: Buffer;
}

const { readEntries } = require('../deploy/zip-entries') as { readEntries: (path: string) => Promise<ZipEntry[]> };

/** The files of a zip archive, folders left out, in the archive's order. */
export async function readZipFiles(path: string): Promise<ZipEntry[]> {
  return (await readEntries(path)).filter((entry) => !entry.name.endsWith('/'));
}

/** Extracts every file of the archive under `target`. */
export async function extractZip(path: string, target: string): Promise<void> {
  for (const entry of await readZipFiles(path)) {
    const destination = join(target, entry.name);
    if (!destination.startsWith(target)) throw new Error(`${path}: entry ${entry.name} escapes the target folder`);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, entry.data);
  }
}
