import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../shared/diagnostic.js';
import { displayPath, renderDiagnostic, renderDiagnostics } from './render-diagnostics.js';

const source = 'version: 1\nservices:\n  redis:\n    health_port: 6379x\n';
const readSource = (file: string) => (file === '/p/sandbox.yaml' ? source : undefined);
const located: Diagnostic = {
  severity: 'error',
  message: 'services.redis.health_port must be an integer, got "6379x"',
  location: { file: '/p/sandbox.yaml', line: 4, col: 18, length: 5 },
  hint: 'first hint\nsecond hint',
};

describe('renderDiagnostic', () => {
  it('prints location, message, the line, a caret under the span, and hints', () => {
    expect(renderDiagnostic(located, { cwd: '/p', readSource })).toBe(
      [
        'sandbox.yaml:4:18 error: services.redis.health_port must be an integer, got "6379x"',
        '  4 |     health_port: 6379x',
        '    |                  ^^^^^',
        '  hint: first hint',
        '  hint: second hint',
      ].join('\n'),
    );
  });

  it.each<[string, Diagnostic, string]>([
    ['no source available', { ...located, hint: undefined, location: { file: '/elsewhere/x.yaml', line: 1, col: 1 } }, '/elsewhere/x.yaml:1:1 error: services.redis.health_port must be an integer, got "6379x"'],
    ['no location, with a field', { severity: 'error', message: 'must be an integer', field: 'health_port' }, 'error: health_port: must be an integer'],
    ['no location, field already in the message', { severity: 'error', message: 'health_port must be an integer', field: 'health_port' }, 'error: health_port must be an integer'],
    ['a warning', { severity: 'warning', message: 'careful' }, 'warning: careful'],
  ])('%s', (_what, diagnostic, expected) => {
    expect(renderDiagnostic(diagnostic, { cwd: '/p', readSource })).toBe(expected);
  });

  it('keeps the caret on the line when the span runs past its end', () => {
    const out = renderDiagnostic({ ...located, hint: undefined, location: { file: '/p/sandbox.yaml', line: 4, col: 18, length: 99 } }, { readSource });
    expect(out.split('\n')[2]).toBe('    |                  ^^^^^');
  });

  it('colours only when asked', () => {
    expect(renderDiagnostic(located, { readSource, color: true })).toContain('\u001b[');
    expect(renderDiagnostic(located, { readSource })).not.toContain('\u001b[');
  });

  it('separates several diagnostics with a blank line', () => {
    expect(renderDiagnostics([{ severity: 'error', message: 'a' }, { severity: 'error', message: 'b' }])).toBe('error: a\n\nerror: b\n');
    expect(renderDiagnostics([])).toBe('');
  });
});

describe('displayPath', () => {
  it.each([
    ['/p/sandbox.yaml', '/p', 'sandbox.yaml'],
    ['/p/examples/x/sandbox.yaml', '/p', 'examples/x/sandbox.yaml'],
    ['/q/sandbox.yaml', '/p', '/q/sandbox.yaml'],
    ['relative.yaml', '/p', 'relative.yaml'],
  ])('%s from %s', (file, cwd, expected) => {
    expect(displayPath(file, cwd)).toBe(expected);
  });
});
