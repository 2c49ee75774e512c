import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, relative, isAbsolute, sep } from 'node:path';
import { Readable } from 'node:stream';
import { getMimeType } from 'hono/utils/mime';

/** A file of the static folder that may be served, or `undefined`. */
export interface StaticFile {
  path: string;
  size: number;
  contentType: string;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,~-]*$/;

/**
 * Finds the file for a URL path under `realRoot` (the static folder, symbolic links resolved):
 * `/` is `index.html`, a folder its `index.html`. Percent-decoded segments must be plain names
 * (no `..`, no hidden files, no NUL or backslash), and the file's real path must stay inside
 * the folder, so neither the URL nor a symbolic link can reach outside it.
 */
export async function findStaticFile(
  realRoot: string,
  urlPath: string,
): Promise<StaticFile | undefined> {
  const segments: string[] = [];
  for (const raw of urlPath.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (!SAFE_SEGMENT.test(segment)) return undefined;
    segments.push(segment);
  }
  let candidate = join(realRoot, ...segments);
  try {
    let stats = await stat(candidate);
    if (stats.isDirectory()) {
      candidate = join(candidate, 'index.html');
      stats = await stat(candidate);
    }
    if (!stats.isFile()) return undefined;
    const real = await realpath(candidate);
    const inside = relative(realRoot, real);
    if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside))
      return undefined;
    const contentType = getMimeType(real) ?? 'application/octet-stream';
    return { path: real, size: stats.size, contentType };
  } catch {
    return undefined;
  }
}

/** The response for a found static file (`HEAD` without body). */
export function staticFileResponse(file: StaticFile, method: string): Response {
  const headers = {
    'content-type': file.contentType,
    'content-length': String(file.size),
    // The page changes with each build; let the browser revalidate instead of guessing.
    'cache-control': 'no-cache',
  };
  if (method === 'HEAD') return new Response(null, { status: 200, headers });
  const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
  return new Response(body, { status: 200, headers });
}
