'use strict';
// A Serverless Framework plugin: rewrites each function's zip at deflate level 9.
//
// serverless-esbuild zips every function with archiver's default, which for zip entries is deflate
// level 1 (compress-commons' ZLIB_BEST_SPEED). Minified JavaScript shrinks about 12% further at level
// 9, which is what brings each function under 250 KB; Lambda unzips either in the same time. The
// entries, their order, names, dates and modes are kept, so the code and the zip's hash stay stable
// from one packaging to the next.
const { createWriteStream } = require('node:fs');
const { rename } = require('node:fs/promises');
const { resolve } = require('node:path');
const archiver = require('archiver');
const yauzl = require('yauzl');

/** Every entry of a zip, with its data, in the archive's order. */
function readEntries(zipPath) {
  return new Promise((done, fail) => {
    yauzl.open(zipPath, { lazyEntries: true }, (openError, zip) => {
      if (openError) return fail(openError);
      const entries = [];
      zip.on('error', fail);
      zip.on('end', () => done(entries));
      zip.on('entry', (entry) => {
        zip.openReadStream(entry, (readError, stream) => {
          if (readError) return fail(readError);
          const chunks = [];
          stream.on('data', (chunk) => chunks.push(chunk));
          stream.on('error', fail);
          stream.on('end', () => {
            entries.push({ name: entry.fileName, date: entry.getLastModDate(), mode: entry.externalFileAttributes >>> 16, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

async function recompress(zipPath) {
  const entries = await readEntries(zipPath);
  const rewritten = `${zipPath}.level9`;
  const archive = archiver('zip', { zlib: { level: 9 } });
  const written = new Promise((done, fail) => {
    const output = createWriteStream(rewritten);
    output.on('close', done);
    output.on('error', fail);
    archive.on('error', fail);
    archive.pipe(output);
  });
  for (const { name, date, mode, data } of entries) {
    if (name.endsWith('/')) archive.append('', { name, date, mode, type: 'directory' });
    else archive.append(data, { name, date, ...(mode !== 0 && { mode }) });
  }
  await archive.finalize();
  await written;
  await rename(rewritten, zipPath);
}

class CompressFunctionArtifacts {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'after:package:createDeploymentArtifacts': () => this.compressAll() };
  }

  async compressAll() {
    const { service, serviceDir } = this.serverless;
    const artifacts = new Set();
    for (const name of service.getAllFunctions()) {
      const artifact = service.getFunction(name).package?.artifact;
      if (artifact) artifacts.add(resolve(serviceDir, artifact));
    }
    for (const artifact of artifacts) await recompress(artifact);
  }
}

module.exports = CompressFunctionArtifacts;
module.exports.recompress = recompress;
module.exports.readEntries = readEntries;
