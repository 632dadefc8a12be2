/** Bytes needed to recognize a video by its signature. */
export const SIGNATURE_BYTES = 12;

/**
 * The video type the first bytes announce: an ISO base media file (MP4, MOV) has its `ftyp`
 * box at offset 4; Matroska and WebM start with the EBML magic 1A 45 DF A3.
 */
export function sniffVideoType(head: Uint8Array): 'video/mp4' | 'video/webm' | undefined {
  if (head.length >= 8 && head[4] === 0x66 && head[5] === 0x74 && head[6] === 0x79 && head[7] === 0x70) return 'video/mp4';
  if (head.length >= 4 && head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return 'video/webm';
  return undefined;
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaType(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return (value ?? '').split(';', 1)[0]!.trim().toLowerCase();
}
