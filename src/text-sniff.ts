/**
 * What a file's first bytes say of it when they are text: SVG (an image sharp draws), a list
 * of other files (which ffmpeg would follow), or plain text (a palette file, or nothing
 * chromaseed reads). Pure, for the core and the readers.
 */

import { ChromaseedError } from './errors.js';

/**
 * SVG, which sharp draws (ffmpeg has no decoder for it): XML whose first element is <svg>,
 * after whatever prolog comes first (a byte order mark, processing instructions, comments,
 * a DOCTYPE with its internal subset, as Illustrator writes).
 */
export function isSvg(text: string): boolean {
  let rest = text.replace(/^(\uFEFF|\xEF\xBB\xBF)/, '').trimStart();
  for (let m; (m = /^(<\?[^]*?\?>|<!--[^]*?-->|<!DOCTYPE(?:[^[>]|\[[^]*?\])*>)\s*/i.exec(rest)) !== null; ) rest = rest.slice(m[0].length);
  return /^<svg[\s>/]/i.test(rest);
}

/**
 * Whether a file's first bytes are text (UTF-8, no NUL, no control characters but tab, line
 * feed, carriage return and form feed). A cut at the end of the sample may split a character,
 * so that is allowed.
 */
export function isTextHead(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (const b of head) if (b === 0 || (b < 32 && b !== 9 && b !== 10 && b !== 13 && b !== 12) || b === 127) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - trailingPartial(head)));
    return true;
  } catch {
    return false;
  }
}

/** Bytes of a UTF-8 character cut off at the end of `head` (0 to 3). */
function trailingPartial(head: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, head.length); back++) {
    const b = head[head.length - back];
    if ((b & 0xc0) !== 0x80) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      return need > back ? back : 0;
    }
  }
  return 0;
}

/**
 * A list of other files that ffmpeg would follow, by the first bytes it probes them by: its
 * concat script, an M3U or HLS playlist, a DASH manifest; or null.
 */
function fileListKind(head: Uint8Array): string | null {
  const start = new TextDecoder('latin1').decode(head.subarray(0, 4096));
  if (start.startsWith('ffconcat version')) return 'an ffmpeg concat script (ffconcat)';
  if (start.startsWith('#EXTM3U')) return 'an M3U playlist';
  if (/<MPD[\s>]/i.test(start) && isTextHead(head.subarray(0, 4096))) return 'a DASH manifest (MPD)';
  return null;
}

/**
 * Refuses a list of other files (fileListKind) rather than let ffmpeg follow it: the files it
 * names escape the checks an input gets (an output written over one of them), and its own
 * errors read as ffmpeg's ("Operation not permitted" for an absolute name in an ffconcat script).
 */
export function refuseFileList(file: string, head: Uint8Array): void {
  const list = fileListKind(head);
  if (list !== null) throw new ChromaseedError('ERR_INPUT', `${file}: ${list}, which names other files; chromaseed reads one video or image: give it one of them`);
}
