/**
 * The upload rules the user hears about before a byte is sent: JPEG or PNG (by content, not by name),
 * at most 5 MB, not empty. The server's presigned policy enforces the same limits again.
 */

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export type FileProblem = 'fileEmpty' | 'fileTooLarge' | 'fileWrongType';
export type ImageType = 'image/jpeg' | 'image/png';

/** The image type the first bytes show (JPEG's SOI marker, PNG's signature), if either. */
export function sniffImageType(head: Uint8Array): ImageType | undefined {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.every((byte, i) => head[i] === byte)) return 'image/png';
  return undefined;
}

/** Checks a chosen file: its problem, or its real type. */
export async function checkImageFile(file: Blob): Promise<FileProblem | ImageType> {
  if (file.size === 0) return 'fileEmpty';
  if (file.type !== '' && file.type !== 'image/jpeg' && file.type !== 'image/png') return 'fileWrongType';
  const type = sniffImageType(new Uint8Array(await file.slice(0, 8).arrayBuffer()));
  if (!type) return 'fileWrongType';
  if (file.size > MAX_UPLOAD_BYTES) return 'fileTooLarge';
  return type;
}
