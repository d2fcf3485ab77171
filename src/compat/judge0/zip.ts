import { unzipSync } from 'fflate';

export interface ExtractedFile {
  readonly name: string;
  readonly content: Buffer;
}

export class ArchiveRejected extends Error {}

/**
 * The files of Judge0's `additional_files` archive. Sizes are checked against the archive's
 * directory before anything is inflated, and each file is inflated into a buffer of exactly its
 * declared size, so a zip bomb costs no more than the limit. Submissions hold plain file names
 * only, so the archive must be flat; directory entries and macOS resource forks are skipped.
 * Judge0 extracts without overwriting (`unzip -n`), so a file named like the main file loses to
 * the source code: `mainFile` is skipped too.
 */
export function extractArchive(archive: Buffer, mainFile: string, maxBytes: number, maxFiles: number): ExtractedFile[] {
  let total = 0;
  let count = 0;
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(archive, {
      filter(file) {
        if (file.name.endsWith('/') || file.name.startsWith('__MACOSX/') || file.name === mainFile) return false;
        if (file.name.includes('/') || file.name.includes('\\')) {
          throw new ArchiveRejected(`holds "${file.name}" inside a directory; this server takes files at the top of the archive only`);
        }
        if (file.compression !== 0 && file.compression !== 8) {
          throw new ArchiveRejected(`holds "${file.name}" compressed with method ${file.compression}; use deflate or store`);
        }
        total += file.originalSize;
        count += 1;
        if (total > maxBytes) throw new ArchiveRejected(`unpacks to more than ${Math.floor(maxBytes / 1024)} KB, this server's limit for a submission's files`);
        if (count > maxFiles) throw new ArchiveRejected(`holds more than ${maxFiles} files, this server's limit`);
        return true;
      },
    });
  } catch (err) {
    if (err instanceof ArchiveRejected) throw err;
    throw new ArchiveRejected(`is not a readable zip archive (base64 of the .zip file's bytes): ${(err as Error).message}`);
  }
  return Object.entries(entries).map(([name, bytes]) => ({ name, content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }));
}
