// Reading request bodies with a size limit. IAM's largest inputs (policy documents, SAML
// assertions) are far below the default limit of 1 MiB.
import type { IncomingMessage } from 'node:http';

/** Default largest accepted request body, in bytes. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export type BodyResult =
  | { ok: true; body: Buffer }
  /**
   * `too-large`: answer 413. `drained` tells whether the rest of the body was read (the
   * connection can stay open) or not (answer with `Connection: close`, then the connection is
   * cut). `aborted`: the client went away or the stream failed.
   */
  | { ok: false; reason: 'too-large'; drained: boolean }
  | { ok: false; reason: 'aborted' };

const EMPTY: Promise<BodyResult> = Promise.resolve({ ok: true, body: Buffer.alloc(0) });

/**
 * The whole body of `req`, or `too-large` once it passes `limit` bytes. An oversized body is
 * still read (and dropped) up to `drainLimit` bytes in all, so that the client, which is still
 * sending, can read the 413 instead of a connection reset; a body announced (Content-Length)
 * or found larger than that is not read further. Never rejects.
 */
export function readBody(req: IncomingMessage, limit: number, drainLimit: number = 8 * limit): Promise<BodyResult> {
  const declared = req.headers['content-length'];
  // A request whose framing announces no body — no Transfer-Encoding, and no Content-Length or a
  // zero one (RFC 9112, section 6.3) — has an empty one: answered at once, without listening to
  // the stream for its end (a GET's usual case: four listeners and two ticks less per request).
  // Node's server drains the unread stream once the answer is finished.
  if (req.headers['transfer-encoding'] === undefined && (declared === undefined || declared === '0')) return EMPTY;
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > drainLimit) {
    return Promise.resolve({ ok: false, reason: 'too-large', drained: false });
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
      if (!result.ok) req.on('error', () => undefined); // late stream errors of a refused body
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > drainLimit) {
        req.pause();
        settle({ ok: false, reason: 'too-large', drained: false });
      } else if (size <= limit) {
        chunks.push(chunk);
      } else if (chunks.length > 0) {
        chunks.length = 0; // over the limit: keep reading, stop keeping
      }
    };
    const onEnd = (): void => {
      if (size > limit) settle({ ok: false, reason: 'too-large', drained: true });
      else settle({ ok: true, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size) });
    };
    const onError = (): void => settle({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}
