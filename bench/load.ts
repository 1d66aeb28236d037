// A light HTTP/1.1 load generator (what wrk does, in a few lines): C keep-alive connections,
// each sending the same request bytes again as soon as the previous answer is complete. It
// parses only the status line and Content-Length, so it spends a small fraction of the CPU of
// node:http's client — on a 2-core machine the load generator then takes little from the server
// it measures. Every answer must be 200.
import { connect, type Socket } from 'node:net';

export interface LoadResult { requests: number; seconds: number; rps: number }

/** Sends `request` (complete HTTP/1.1 bytes, keep-alive) over `connections` sockets for `seconds`. */
export function runLoad(port: number, request: Buffer, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    let count = 0;
    let open = connections;
    let failed: Error | undefined;
    const t0 = performance.now();
    const end = t0 + seconds * 1000;
    const sockets: Socket[] = [];
    const finish = (): void => {
      if (--open > 0) return;
      const s = (performance.now() - t0) / 1000;
      if (failed) reject(failed); else resolve({ requests: count, seconds: s, rps: count / s });
    };
    for (let i = 0; i < connections; i++) {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      sockets.push(socket);
      const fail = (e: Error): void => { failed ??= e; socket.destroy(); };
      socket.on('connect', () => socket.write(request));
      socket.on('data', answerReader((statusLine) => {
        if (!statusLine.startsWith('HTTP/1.1 200')) { fail(new Error(`answer: ${statusLine}`)); return false; }
        count++;
        if (performance.now() < end) { socket.write(request); return true; }
        socket.end();
        return false;
      }, fail));
      socket.on('error', (e) => fail(e));
      socket.on('close', finish);
    }
  });
}

/**
 * A socket's 'data' handler that frames the HTTP/1.1 answers arriving on it (Content-Length, or
 * a small chunked body) and calls `onAnswer` with each one's status line and body bytes (as
 * sent, chunk framing included); `onAnswer` returns false to stop reading this chunk.
 * `onError` hears of an answer it cannot frame.
 */
export function answerReader(onAnswer: (statusLine: string, body: Buffer) => boolean, onError: (e: Error) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const head = buffered.indexOf('\r\n\r\n');
      if (head === -1) return;
      const text = buffered.toString('latin1', 0, head);
      const m = /\r\ncontent-length: *(\d+)/i.exec(text);
      let total: number;
      if (m) total = head + 4 + Number(m[1]);
      else if (/\r\ntransfer-encoding: *chunked/i.test(text)) {
        // Small bodies only (hello world): the answer ends with the last chunk.
        const last = buffered.indexOf('0\r\n\r\n', head + 4);
        if (last === -1) return;
        total = last + 5;
      } else {
        onError(new Error(`answer without Content-Length or chunked body: ${text.split('\r\n')[0]}`));
        return;
      }
      if (buffered.length < total) return;
      const body = buffered.subarray(head + 4, total);
      buffered = buffered.subarray(total);
      const lineEnd = text.indexOf('\r\n');
      if (!onAnswer(lineEnd === -1 ? text : text.slice(0, lineEnd), body)) return;
    }
  };
}

/** The bytes of a GET request for `path`. */
export function getRequest(port: number, path: string): Buffer {
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\n\r\n`, 'latin1');
}
