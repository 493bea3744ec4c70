import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
}

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_DIRECTORY_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;

/** The entries of a zip archive and their data, read from its central directory (stored or deflated entries). */
function readZip(path: string): { entries: ZipEntry[]; data(entry: ZipEntry): Buffer } {
  const zip = readFileSync(path);
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== END_OF_CENTRAL_DIRECTORY) end--;
  if (end < 0) throw new Error(`${path} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const entries: (ZipEntry & { method: number; localOffset: number })[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(offset) !== CENTRAL_DIRECTORY_HEADER) throw new Error(`${path}: bad central directory`);
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const size = zip.readUInt32LE(offset + 24);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localOffset = zip.readUInt32LE(offset + 42);
    const name = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    entries.push({ name, compressedSize, size, method, localOffset });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return {
    entries,
    data(entry) {
      const { method, localOffset } = entry as (typeof entries)[number];
      if (zip.readUInt32LE(localOffset) !== LOCAL_FILE_HEADER) throw new Error(`${path}: bad local header for ${entry.name}`);
      const start = localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
      const raw = zip.subarray(start, start + entry.compressedSize);
      if (method === 0) return Buffer.from(raw);
      if (method === 8) return inflateRawSync(raw);
      throw new Error(`${path}: ${entry.name} uses unsupported compression method ${method}`);
    },
  };
}

export function listZip(path: string): ZipEntry[] {
  return readZip(path).entries.map(({ name, compressedSize, size }) => ({ name, compressedSize, size }));
}

/** Extracts every file of the archive under `target`. */
export function extractZip(path: string, target: string): void {
  const zip = readZip(path);
  for (const entry of zip.entries) {
    if (entry.name.endsWith('/')) continue;
    const destination = join(target, entry.name);
    if (!destination.startsWith(target)) throw new Error(`${path}: entry ${entry.name} escapes the target folder`);
    mkdirSync(dirname(destination), { recursive: true });
    writeFileSync(destination, zip.data(entry));
  }
}
