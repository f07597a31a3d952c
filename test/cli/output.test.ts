import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOutput, type OutputOptions } from '../../src/cli/output.js';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (s: string) => { chunks.push(s); return true; }, text: () => chunks.join('') };
}

function make(opts: { tty?: boolean; env?: Record<string, string>; json?: boolean; color?: boolean } = {}) {
  const stdout = stream(opts.tty ?? true);
  const stderr = stream(opts.tty ?? true);
  const options: OutputOptions = { stdout, stderr, env: opts.env ?? { TERM: 'xterm-256color' } };
  if (opts.json !== undefined) options.json = opts.json;
  if (opts.color !== undefined) options.color = opts.color;
  return { out: createOutput(options), stdout, stderr };
}

const ESC = '\u001b[';

test('colour and spinners are on only for a terminal with no CI, NO_COLOR, TERM=dumb, --no-color or --json', () => {
  const cases: Array<[string, Parameters<typeof make>[0], boolean]> = [
    ['terminal', {}, true],
    ['piped', { tty: false }, false],
    ['CI set', { env: { CI: 'true' } }, false],
    ['NO_COLOR set', { env: { NO_COLOR: '1' } }, false],
    ['NO_COLOR empty (means unset)', { env: { NO_COLOR: '' } }, true],
    ['CI=false', { env: { CI: 'false' } }, true],
    ['TERM=dumb', { env: { TERM: 'dumb' } }, false],
    ['--no-color', { color: false }, false],
    ['--json', { json: true }, false],
  ];
  for (const [name, opts, on] of cases) {
    const { out, stdout, stderr } = make(opts);
    assert.equal(out.color, on, `${name}: color`);
    assert.equal(out.interactive, on, `${name}: spinners`);
    out.print(out.style.red('result'));
    out.warn('careful');
    assert.equal(stdout.text().includes(ESC), on, `${name}: escape codes on stdout: ${JSON.stringify(stdout.text())}`);
    assert.equal(stderr.text().includes(ESC), on, `${name}: escape codes on stderr: ${JSON.stringify(stderr.text())}`);
  }
});

test('colour on stdout and spinners on stderr follow their own stream', () => {
  const stdout = stream(false);
  const stderr = stream(true);
  const out = createOutput({ stdout, stderr, env: {} });
  assert.equal(out.color, false);
  assert.equal(out.interactive, true);
});

test('no spinner on a terminal that reports zero columns (ora would loop erasing lines)', () => {
  const stderr = { ...stream(true), columns: 0 };
  const out = createOutput({ stdout: stream(true), stderr, env: {} });
  assert.equal(out.color, true);
  assert.equal(out.interactive, false);
});

test('--json: stdout holds exactly one JSON document; notes are dropped, warnings go to stderr', () => {
  const { out, stdout, stderr } = make({ json: true });
  out.info('loading');
  out.printJson({ n: 1n, big: 2n ** 64n, name: 'm' });
  out.warn('odd model');
  assert.deepEqual(JSON.parse(stdout.text()), { n: 1, big: '18446744073709551616', name: 'm' });
  assert.equal(stderr.text(), 'warning: odd model\n');
});

test('without a terminal, task() runs the work and writes nothing', async () => {
  const { out, stdout, stderr } = make({ tty: false });
  assert.equal(await out.task('working', async () => 42), 42);
  await assert.rejects(out.task('failing', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(stdout.text() + stderr.text(), '');
});

test('table() aligns columns and right-aligns all-number columns', () => {
  const { out } = make({ tty: false });
  const text = out.table([['Conv', 53], ['Relu', 7], ['MatMul', 120]], ['op', 'count']);
  assert.equal(text, [
    'op      count',
    'Conv       53',
    'Relu        7',
    'MatMul    120',
  ].join('\n'));
});
