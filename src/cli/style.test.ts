import { describe, expect, it } from 'vitest';
import { createStyle, padVisible, shouldUseColor, stripAnsi, truncateVisible, visibleWidth } from './style.js';

describe('shouldUseColor', () => {
  it.each<[string, { isTTY?: boolean }, NodeJS.ProcessEnv, boolean]>([
    ['a TTY', { isTTY: true }, {}, true],
    ['a pipe', { isTTY: false }, {}, false],
    ['a stream without isTTY', {}, {}, false],
    ['NO_COLOR on a TTY', { isTTY: true }, { NO_COLOR: '1' }, false],
    ['empty NO_COLOR is ignored', { isTTY: true }, { NO_COLOR: '' }, true],
    ['NO_COLOR beats FORCE_COLOR', { isTTY: true }, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['FORCE_COLOR on a pipe', { isTTY: false }, { FORCE_COLOR: '1' }, true],
    ['FORCE_COLOR=0 on a TTY', { isTTY: true }, { FORCE_COLOR: '0' }, false],
    ['TERM=dumb', { isTTY: true }, { TERM: 'dumb' }, false],
  ])('%s', (_name, stream, env, expected) => {
    expect(shouldUseColor(stream, env)).toBe(expected);
  });
});

describe('createStyle', () => {
  it('paints with SGR codes when on, even when stdout is not a TTY', () => {
    expect(createStyle(true).paint('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(createStyle(true).paint(['bold', 'green'], 'ok')).toBe('\u001b[1m\u001b[32mok\u001b[39m\u001b[22m');
  });

  it('returns text unchanged when off', () => {
    expect(createStyle(false).paint(['bold', 'red'], 'x')).toBe('x');
  });
});

describe('widths', () => {
  const red = createStyle(true).paint('red', 'abc');
  it.each<[string, number]>([
    ['', 0],
    ['abc', 3],
    [red, 3],
    ['✔ ready', 7],
  ])('visibleWidth(%j) = %i', (text, width) => {
    expect(visibleWidth(text)).toBe(width);
  });

  it('pads by visible width', () => {
    expect(stripAnsi(padVisible(red, 5))).toBe('abc  ');
    expect(padVisible('7', 3, 'right')).toBe('  7');
    expect(padVisible('toolong', 3)).toBe('toolong');
  });

  it.each<[string, number, string]>([
    ['short', 10, 'short'],
    ['exactly', 7, 'exactly'],
    ['too long here', 8, 'too lon…'],
    ['ab', 1, 'a'],
  ])('truncateVisible(%j, %i) = %j', (text, width, expected) => {
    expect(truncateVisible(text, width)).toBe(expected);
  });
});
