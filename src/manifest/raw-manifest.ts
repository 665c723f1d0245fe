// The manifest as written, after schema validation filled in the schema's defaults (see schemas/sandbox.schema.json).

import type { Path } from './source-path.js';
import type { OverlayStrategy, RestartPolicy } from './types.js';

export type RawEnvValue = string | number | boolean;
export type RawEnvMap = Record<string, RawEnvValue> | null;
export type RawEnvFileEntry = string | { path: string; required?: boolean };
export type RawEnvFiles = string | RawEnvFileEntry[];
export type RawNeed = string | { name: string; restart?: boolean };

export interface RawHealthCheck {
  path: string;
  interval_ms: number;
  timeout_ms: number;
  delay_ms: number;
}

/** Fields both kinds of unit share. */
interface RawUnitCommon {
  env_file?: RawEnvFiles;
  user?: string;
  health_port?: number;
  health_check?: RawHealthCheck;
  port?: number;
  strict_port: boolean;
  needs: RawNeed[];
  restart_policy: RestartPolicy;
  max_restarts: number;
  restart_delay_ms: number;
  stop_timeout_ms: number;
}

export interface RawService extends RawUnitCommon {
  cmd: string;
  args: (string | number)[];
  env?: RawEnvMap;
  working_dir?: string;
  container: boolean;
  image?: string;
}

export interface RawInlineOverlay {
  source: string;
  target: string;
  strategy: OverlayStrategy;
  ignore: string[];
}

export interface RawServer extends RawUnitCommon {
  install?: string;
  start: string;
  path?: string;
  environment?: RawEnvMap;
  overlay?: RawInlineOverlay;
}

export interface RawOverlay {
  name: string;
  source: string;
  target: string;
  strategy: OverlayStrategy;
  ignore: string[];
  immutable: string[];
  needs: RawNeed[];
}

export interface RawManifest {
  version: 1;
  name?: string;
  env_file?: RawEnvFiles;
  environment?: RawEnvMap;
  overlays?: RawOverlay[] | null;
  services?: Record<string, RawService> | null;
  servers?: Record<string, RawServer> | null;
}

/** One unit as written, tagged with its kind and the path of its entry ([] for an API body). */
export type RawUnit = { kind: 'service'; name: string; base: Path; body: RawService } | { kind: 'server'; name: string; base: Path; body: RawServer };

/** Every unit of a manifest, services first, in the order written. */
export const rawUnitsOf = (manifest: RawManifest): RawUnit[] => [
  ...Object.entries(manifest.services ?? {}).map(([name, body]): RawUnit => ({ kind: 'service', name, base: ['services', name], body })),
  ...Object.entries(manifest.servers ?? {}).map(([name, body]): RawUnit => ({ kind: 'server', name, base: ['servers', name], body })),
];
