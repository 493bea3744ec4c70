import { readFileSync, writeFileSync } from 'node:fs';
import { DriftwardenError, InputFormatError } from './errors';

/** The reason a file could not be read, in words rather than an errno code. */
function unreadableReason(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'it is a folder, not a file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ERR_STRING_TOO_LONG':
      return 'it is larger than the 512 MB Node.js can hold as text; split the input';
    default:
      return error.message;
  }
}

/** A file's text; `-` is standard input. Every failure is an `InputFormatError` naming the file and the reason. */
export function readTextFile(file: string, what = 'input'): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    const name = file === '-' ? 'standard input' : file;
    throw new InputFormatError(`Cannot read the ${what} ${name}: ${unreadableReason(error as NodeJS.ErrnoException)}.`, { cause: error });
  }
}

/** Writes a report; a failure names the file and the reason in words. */
export function writeTextFile(file: string, text: string): void {
  try {
    writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'its folder does not exist' : unreadableReason(error as NodeJS.ErrnoException);
    throw new DriftwardenError(`Cannot write ${file}: ${reason}.`, { cause: error });
  }
}

/** `*` any run of characters, `?` one: how `--rule`, `--skip-rule` and suppressions name rules and resources. */
export function globMatches(glob: string, value: string): boolean {
  const source = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}
