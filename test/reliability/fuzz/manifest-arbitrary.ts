// Generators for the manifest fuzz test: valid-ish manifests as data, then mutations of the data and of its YAML text.

import fc from 'fast-check';
import { stringify } from 'yaml';

/** A few unit names, so `needs` and `${units.X...}` often point at units that exist (and sometimes not). */
const NAMES = ['api', 'db', 'web', 'worker', 'cache', 'Bad_Name', 'x'.repeat(70)] as const;

/** Strings that have broken parsers before: interpolation fragments, shell metacharacters, unicode, control bytes. */
const NASTY = [
  '${',
  '${}',
  '${FOO',
  '${FOO:-',
  '${FOO:-${BAR}}',
  '$${ESCAPED}',
  '${units.api.port}',
  '${units.api.url}',
  '${units.nope.port}',
  '${units.}',
  '${units.api.nope}',
  '${UNSET_VARIABLE}',
  '$(touch /tmp/pwned)',
  '`id`',
  '; rm -rf /',
  '\u0000',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '😀'.repeat(40),
  'a'.repeat(300),
  '\ud800',
  '../../../../etc/passwd',
  '/',
  '',
  ' ',
  '~',
  'null',
  '0day',
  '\r\n\t',
] as const;

/** Rare on purpose (it makes a case slow): a 64 KiB + 1 string. */
const HUGE = 'a'.repeat(65_537);

/** A hostile or plain string. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.constant(HUGE) },
  { weight: 40, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 40, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 20, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 20, arbitrary: fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...NASTY), fc.string({ maxLength: 8 })).map((p) => p.join('')) },
);

/** Numbers at and beyond every edge a field can have. */
export const edgeNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(0, -1, 1, 65535, 65536, 2 ** 31, 2 ** 53 + 2, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 0.5, Infinity, -Infinity, NaN),
  fc.integer(),
  fc.double(),
);

/** A value of any type (for "wrong type" mutations). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyString,
  edgeNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(nastyString, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), nastyString, { maxKeys: 3 }),
);

/** Manifests as data; `hostile` 0 gives only sound values (most such cases are valid, so every later step runs). */
const manifestArbitrary = (hostile: number): fc.Arbitrary<Record<string, unknown>> => {
  /** Mostly a sound value, sometimes (weight `hostile` in 12) a hostile one. */
  const plausible = <T>(sound: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<T | unknown> =>
    hostile === 0 ? sound : fc.oneof({ weight: 12, arbitrary: sound }, { weight: hostile, arbitrary: bad });
  const word = fc.stringMatching(/^[a-z0-9._\/-]{1,12}$/);
  const text = plausible(word, nastyString);
  const ms = (max: number) => plausible(fc.integer({ min: 1, max }), edgeNumber);

  const unitName = plausible(fc.constantFrom(...NAMES.slice(0, 5)), fc.constantFrom(...NAMES.slice(5))) as fc.Arbitrary<string>;
  const port = plausible(fc.integer({ min: 1024, max: 65535 }), edgeNumber);
  const envName = plausible(fc.constantFrom('PATH', 'API_KEY', 'DB_URL', 'LEVEL', 'GREETING'), fc.oneof(fc.constantFrom('1BAD', 'a-b', ''), fc.string({ maxLength: 6 })));
  const envMap = fc.dictionary(envName as fc.Arbitrary<string>, plausible(word, fc.oneof(nastyString, fc.integer(), fc.boolean(), fc.constant(null))), { maxKeys: 4 });
  const envFiles = plausible(
    fc.oneof(fc.constant('.env'), fc.array(fc.oneof(fc.constant('.env'), fc.record({ path: fc.constantFrom('.env', 'missing.env', 'sub/.env'), required: fc.constant(false) })), { maxLength: 2 })),
    fc.oneof(
      fc.constantFrom('missing.env', '../outside.env', 'sub/.env', ''),
      fc.array(fc.oneof(fc.constantFrom('.env', 'missing.env'), fc.record({ path: fc.constantFrom('.env', 'missing.env', 'sub/.env'), required: fc.boolean() })), { maxLength: 3 }),
    ),
  );
  const need = plausible(
    fc.oneof(unitName, fc.constant('tpl'), fc.record({ name: unitName, restart: fc.boolean() }, { requiredKeys: ['name'] })),
    fc.oneof(fc.constantFrom('nope', ''), nastyString, anyValue),
  );
  const healthCheck = fc.record({ path: plausible(fc.constantFrom('/', '/health'), fc.oneof(fc.constant('no-slash'), nastyString)), interval_ms: ms(10_000), timeout_ms: ms(5_000), delay_ms: ms(5_000) }, { requiredKeys: [] });
  const lifecycle = {
    restart_policy: plausible(fc.constantFrom('never', 'on-failure', 'always'), nastyString),
    max_restarts: plausible(fc.nat(10), edgeNumber),
    restart_delay_ms: plausible(fc.nat(5000), edgeNumber),
    stop_timeout_ms: plausible(fc.nat(20_000), edgeNumber),
    needs: fc.array(need, { maxLength: 3 }),
    health_port: port,
    health_check: healthCheck,
    port,
    strict_port: fc.boolean(),
    user: plausible(fc.constantFrom('root', 'nobody'), fc.oneof(fc.constantFrom('0day', ' nobody', '1000x', 'ghost'), nastyString)),
    env_file: envFiles,
  };
  const inlineOverlay = fc.record(
    {
      source: plausible(fc.constant('./tpl'), fc.constantFrom('../../etc', '/', '')),
      target: plausible(fc.constantFrom('./.work/x', './.work/y'), fc.constantFrom('/etc', '../up', '.')),
      strategy: plausible(fc.constantFrom('copy', 'smart'), fc.constant('hard')),
      ignore: fc.array(text, { maxLength: 2 }),
    },
    { requiredKeys: ['source', 'target'] },
  );

  const service = fc.record(
    {
      cmd: plausible(fc.constantFrom('sleep', 'node', '/bin/sh'), nastyString),
      args: fc.array(text, { maxLength: 4 }),
      env: envMap,
      working_dir: plausible(fc.constantFrom('.', './sub', '/tmp'), fc.constantFrom('${HOME}', '${UNSET}', '')),
      container: plausible(fc.constant(false), fc.boolean()),
      image: text,
      ...lifecycle,
    },
    { requiredKeys: ['cmd'] },
  );
  const server = fc.record(
    {
      start: plausible(fc.constantFrom('node server.js', 'sleep 1', 'echo ${PORT}'), nastyString),
      install: text,
      path: plausible(fc.constantFrom('.', './sub'), fc.constantFrom('./${UNSET}', '', '${HOME}')),
      environment: envMap,
      overlay: inlineOverlay,
      ...lifecycle,
    },
    { requiredKeys: ['start'] },
  );
  const overlay = fc.record(
    {
      name: plausible(fc.constantFrom('tpl', 'assets'), unitName),
      source: plausible(fc.constant('./tpl'), fc.constantFrom('/etc', '')),
      target: plausible(fc.constantFrom('./.work/tpl', './.work/assets'), fc.constantFrom('../escape', '/')),
      strategy: plausible(fc.constantFrom('copy', 'smart'), fc.constant('bogus')),
      ignore: fc.array(text, { maxLength: 2 }),
      immutable: fc.array(text, { maxLength: 2 }),
      needs: fc.array(need, { maxLength: 2 }),
    },
    { requiredKeys: ['name', 'source', 'target'] },
  );

  return fc.record(
    {
      version: plausible(fc.constant(1), anyValue),
      name: plausible(fc.constantFrom('demo', 'shop'), fc.oneof(fc.constant('My Project'), nastyString)),
      env_file: envFiles,
      environment: envMap,
      overlays: fc.array(overlay, { maxLength: 2 }),
      services: fc.dictionary(unitName as fc.Arbitrary<string>, service, { maxKeys: 4 }),
      servers: fc.dictionary(unitName as fc.Arbitrary<string>, server, { maxKeys: 3 }),
    },
    { requiredKeys: ['version'] },
  );
};

/** A manifest as data: half sound throughout, half with hostile values here and there. */
export const manifestData: fc.Arbitrary<Record<string, unknown>> = fc.oneof(manifestArbitrary(0), manifestArbitrary(1));

/** One change to the data at a node chosen by index. */
export type DataMutation =
  | { kind: 'delete'; at: number }
  | { kind: 'rename'; at: number; to: string }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'nest'; at: number; depth: number; array: boolean };

export const dataMutation: fc.Arbitrary<DataMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), to: fc.oneof(fc.constantFrom('restart_polcy', 'cmdd', 'Version', 'health-check', '', '<<', '__proto__', 'constructor'), nastyString) }),
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: anyValue }),
  fc.record({ kind: fc.constant('nest' as const), at: fc.nat(), depth: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 20 }) }, { weight: 1, arbitrary: fc.integer({ min: 50, max: 300 }) }), array: fc.boolean() }),
);

type Container = Record<string, unknown> | unknown[];
const isContainer = (value: unknown): value is Container => typeof value === 'object' && value !== null;

/** Every (container, key) slot in the data, depth first. */
const slots = (root: Container): [Container, string | number][] => {
  const out: [Container, string | number][] = [];
  const visit = (node: Container): void => {
    const keys: (string | number)[] = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node);
    for (const key of keys) {
      out.push([node, key]);
      const child = (node as Record<string | number, unknown>)[key];
      if (isContainer(child)) visit(child);
    }
  };
  visit(root);
  return out;
};

/** Applies the mutations in order to a deep copy of the data. */
export const mutateData = (data: Record<string, unknown>, mutations: readonly DataMutation[]): Record<string, unknown> => {
  const root = structuredClone(data);
  for (const mutation of mutations) {
    const all = slots(root);
    if (all.length === 0) return root;
    const [node, key] = all[mutation.at % all.length]!;
    const record = node as Record<string | number, unknown>;
    switch (mutation.kind) {
      case 'delete':
        if (Array.isArray(node)) node.splice(key as number, 1);
        else delete record[key];
        break;
      case 'rename':
        if (!Array.isArray(node)) {
          const value = record[key];
          delete record[key];
          Object.defineProperty(record, mutation.to, { value, enumerable: true, writable: true, configurable: true });
        }
        break;
      case 'replace':
        record[key] = mutation.value;
        break;
      case 'nest': {
        let value: unknown = record[key];
        for (let i = 0; i < mutation.depth; i++) value = mutation.array ? [value] : { k: value };
        record[key] = value;
        break;
      }
    }
  }
  return root;
};

/** One change to the YAML text. */
export type TextMutation =
  | { kind: 'duplicate-line'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'alias-bomb'; width: number; levels: number; merge: boolean }
  | { kind: 'deep-flow'; depth: number };

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('duplicate-line' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom('\t', ':', '- ', '&a ', '*a', '*nope', '!!binary ', '!tag ', '? ', '|', '>', '"', "'", '{', '[', '---\n', '%YAML 1.1\n', '<<: *a\n', '\n  '), nastyString) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('alias-bomb' as const), width: fc.integer({ min: 2, max: 10 }), levels: fc.integer({ min: 1, max: 9 }), merge: fc.boolean() }),
  fc.record({ kind: fc.constant('deep-flow' as const), depth: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 200 }) }, { weight: 1, arbitrary: fc.integer({ min: 1000, max: 5000 }) }) }),
);

/** A bounded "billion laughs": levels × width aliases that would expand to width^levels nodes. */
const aliasBomb = (width: number, levels: number, merge: boolean): string => {
  const lines = ['x-l0: &l0 [lol]'];
  for (let level = 1; level <= levels; level++) {
    const refs = Array.from({ length: width }, () => `*l${level - 1}`).join(', ');
    lines.push(merge ? `x-l${level}: &l${level} { <<: [${Array.from({ length: width }, () => `*m${level - 1}`).join(', ')}] }` : `x-l${level}: &l${level} [${refs}]`);
  }
  if (merge) lines.splice(1, 0, 'x-m0: &m0 { a: 1 }', ...Array.from({ length: levels }, (_, i) => `x-m${i + 1}: &m${i + 1} { <<: *m${i}, k${i}: [${Array.from({ length: width }, () => '*l0').join(', ')}] }`));
  return `${lines.join('\n')}\n`;
};

/** Applies one text mutation. */
export const mutateText = (text: string, mutation: TextMutation): string => {
  const at = (n: number): number => (text.length === 0 ? 0 : n % (text.length + 1));
  switch (mutation.kind) {
    case 'duplicate-line': {
      const lines = text.split('\n');
      const index = mutation.at % Math.max(1, lines.length);
      lines.splice(index, 0, lines[index] ?? '');
      return lines.join('\n');
    }
    case 'insert':
      return text.slice(0, at(mutation.at)) + mutation.text + text.slice(at(mutation.at));
    case 'truncate':
      return text.slice(0, at(mutation.at));
    case 'alias-bomb':
      return aliasBomb(mutation.width, mutation.levels, mutation.merge) + text;
    case 'deep-flow':
      return `${text}\nx-deep: ${'['.repeat(mutation.depth)}1${']'.repeat(mutation.depth)}\n`;
  }
};

/** A whole fuzz case: data, its mutations, text mutations, and the content of the project's `.env`. */
export interface FuzzCase {
  data: Record<string, unknown>;
  dataMutations: DataMutation[];
  textMutations: TextMutation[];
  envFile: string;
}

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  data: manifestData,
  dataMutations: fc.oneof({ weight: 2, arbitrary: fc.constant<DataMutation[]>([]) }, { weight: 3, arbitrary: fc.array(dataMutation, { minLength: 1, maxLength: 4 }) }),
  textMutations: fc.oneof({ weight: 3, arbitrary: fc.constant<TextMutation[]>([]) }, { weight: 2, arbitrary: fc.array(textMutation, { minLength: 1, maxLength: 3 }) }),
  envFile: fc.oneof(fc.constantFrom('A=1\nAPI_KEY=canary\n', 'export B="x ${A}"\n', '=\n==\nX\n', 'K=\u0000\r\n'), fc.string({ maxLength: 60 })),
});

/** The YAML text a case stands for (stringify cannot fail on the values generated here; if it does, that is a test bug). */
export const caseText = (c: FuzzCase): string => {
  let text = stringify(mutateData(c.data, c.dataMutations), { aliasDuplicateObjects: false, lineWidth: 0 });
  for (const mutation of c.textMutations) text = mutateText(text, mutation);
  return text;
};
