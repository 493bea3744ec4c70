'use strict';
// Reads a zip archive whole: the packaging plugin (serverless-compress-artifacts.js), the benchmark
// and the bundle tests all read zips this way.
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

module.exports = { readEntries };
