// Reading request bodies with a size limit. IAM's largest inputs (policy documents, SAML
// assertions) are far below the default limit of 1 MiB.
import type { IncomingMessage } from 'node:http';

/** Default largest accepted request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult =
  | { ok: true; body: Buffer }
  /** `too-large`: answer 413 and close; `aborted`: the client went away or the stream failed. */
  | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * The whole body of `req`, or a failure once it passes `limit` bytes (checked against
 * Content-Length first, so an announced oversized body is refused before it is read).
 * Never rejects.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    return Promise.resolve({ ok: false, reason: 'too-large' });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) settle({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    const onError = (): void => settle({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

/**
 * After answering a request whose body was refused: let the client finish sending (so it can
 * read the answer), but cut the connection once it sends more than `maxBytes` besides.
 */
export function discardRest(req: IncomingMessage, maxBytes: number): void {
  let seen = 0;
  req.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) req.socket.destroy();
  });
  req.on('error', () => undefined);
  req.resume();
}
