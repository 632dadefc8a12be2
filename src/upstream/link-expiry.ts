/**
 * When a signed link stops working, in ms since the epoch, as far as its query string tells:
 * S3-style `X-Amz-Date` + `X-Amz-Expires` (and Volcengine TOS's `X-Tos-*`, where Doubao's videos
 * live), or an absolute `Expires` in Unix seconds (OSS, CloudFront). Undefined when it says nothing.
 */
export function linkExpiresAt(link: string): number | undefined {
  let params: URLSearchParams;
  try {
    params = new URL(link).searchParams;
  } catch {
    return undefined;
  }
  const lower = new Map<string, string>();
  for (const [key, value] of params) lower.set(key.toLowerCase(), value);
  for (const prefix of ['x-amz-', 'x-tos-']) {
    const date = lower.get(`${prefix}date`);
    const expires = Number(lower.get(`${prefix}expires`));
    const signedAt = date ? parseBasicIsoDate(date) : undefined;
    if (signedAt !== undefined && Number.isFinite(expires)) return signedAt + expires * 1000;
  }
  const absolute = Number(lower.get('expires'));
  return lower.has('expires') && Number.isFinite(absolute) && absolute > 0 ? absolute * 1000 : undefined;
}

/** `20261202T063000Z` → ms since the epoch. */
function parseBasicIsoDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) : undefined;
}
