// NUL can be in no string sbx takes: execve, paths and environment entries end at the first one, so a value with a
// NUL would silently mean something shorter. Every key and string value is checked, manifest and API body alike.

import type { Diagnostic } from '../shared/diagnostic.js';
import { formatPath, type Locate, type Path } from './source-path.js';

/** Paths of keys (`key: true`) and string values that hold a NUL character, in document order. */
export const nulPaths = (data: unknown, at: Path = []): { path: Path; key: boolean }[] => {
  if (typeof data === 'string') return data.includes('\u0000') ? [{ path: at, key: false }] : [];
  if (Array.isArray(data)) return data.flatMap((item, index) => nulPaths(item, [...at, index]));
  if (data === null || typeof data !== 'object') return [];
  return Object.entries(data).flatMap(([key, value]) => [
    ...(key.includes('\u0000') ? [{ path: [...at, key], key: true }] : []),
    ...nulPaths(value, [...at, key]),
  ]);
};

/** One located error per key or value holding a NUL. */
export const nulDiagnostics = (data: unknown, locate: Locate, at: Path = []): Diagnostic[] =>
  nulPaths(data, at).map(({ path, key }) => {
    const location = locate(path, { key });
    const field = formatPath(path);
    return {
      severity: 'error',
      code: 'nul-character',
      message: `${field || 'the value'} ${key ? 'is a key that contains' : 'contains'} a NUL character (\\0), which no command, path or environment can hold`,
      field,
      ...(location ? { location } : {}),
    };
  });
