import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, isLogLevel, type LogLevel } from './log.js';

function capture(level: LogLevel): { lines: () => Array<Record<string, unknown>>; logger: ReturnType<typeof createLogger> } {
  const out: string[] = [];
  const logger = createLogger({ level, sink: { write: (t: string) => out.push(t) } });
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('log', () => {
  const levels: Array<{ level: LogLevel; shown: string[] }> = [
    { level: 'debug', shown: ['debug', 'info', 'warn', 'error'] },
    { level: 'info', shown: ['info', 'warn', 'error'] },
    { level: 'warn', shown: ['warn', 'error'] },
    { level: 'error', shown: ['error'] },
  ];
  for (const c of levels) {
    it(`at ${c.level} writes ${c.shown.join(', ')}`, () => {
      const { logger, lines } = capture(c.level);
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
      assert.deepEqual(lines().map((l) => l.level), c.shown);
    });
  }

  it('writes one JSON object per line with time, level, msg and the defined fields', () => {
    const out: string[] = [];
    const logger = createLogger({ sink: { write: (t: string) => out.push(t) } });
    logger.info('hello', { a: 1, b: undefined, c: 'x' });
    assert.equal(out.length, 1);
    assert.ok(out[0].endsWith('\n'));
    const line = JSON.parse(out[0]) as Record<string, unknown>;
    assert.deepEqual(Object.keys(line), ['time', 'level', 'msg', 'a', 'c']);
    assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('logs a 5xx request line at error and others at info', () => {
    const { logger, lines } = capture('info');
    const base = { requestId: 'r', method: 'POST', ms: 1, sourceIp: '127.0.0.1' };
    logger.request({ ...base, status: 200 });
    logger.request({ ...base, status: 403, errorCode: 'SignatureDoesNotMatch' });
    logger.request({ ...base, status: 500, errorCode: 'InternalFailure' });
    assert.deepEqual(lines().map((l) => [l.level, l.status]), [['info', 200], ['info', 403], ['error', 500]]);
  });

  it('survives a failing sink', () => {
    const logger = createLogger({ sink: { write: () => { throw new Error('disk full'); } } });
    assert.doesNotThrow(() => logger.error('x'));
  });

  it('recognises level names', () => {
    assert.equal(isLogLevel('warn'), true);
    assert.equal(isLogLevel('verbose'), false);
  });
});
