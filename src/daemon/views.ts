// Pure mapping from what the engine holds (spec + observed + hold) to the seeds' API shapes. Never shows secret values.

import type { DesiredModel, DesiredUnit, Hold, ObservedState, ObservedUnit, UnitPhase } from '../engine/types.js';
import type { EnvVar } from '../manifest/types.js';
import type { HealthStatus } from '../runtime/prober.js';
import { DEFAULT_URL_HOST, serverUrl } from './public-url.js';
import type { EnvView, ServerStatus, ServerView, ServiceStatus, ServiceView, StatusView, UnitDetail, UnitStatusView } from './api-types.js';

/** What a secret-looking variable's value is replaced with. */
export const MASK = '***';

/** The engine's state for one unit, as the views need it. */
export interface UnitState {
  desired: DesiredUnit;
  observed: ObservedUnit | null;
  hold: Hold | null;
}

/** Looks a unit up in an engine snapshot; null when it is not desired. */
export const unitState = (snapshot: { desired: DesiredModel; observed: ObservedState; holds: Hold[] }, name: string): UnitState | null => {
  const desired = Object.hasOwn(snapshot.desired.units, name) ? snapshot.desired.units[name] : undefined;
  if (!desired) return null;
  return {
    desired,
    observed: snapshot.observed.units[name] ?? null,
    hold: snapshot.holds.find((h) => h.unit === name) ?? null,
  };
};

/** Variables the unit's config sets (not sbx's own environment); values of secret-looking names and from env files masked. */
export const envView = (env: Record<string, EnvVar>): EnvView => {
  const out: EnvView = {};
  for (const name of Object.keys(env).sort()) {
    const v = env[name];
    if (!v || v.source.kind === 'sbx-environment') continue;
    out[name] = v.secret || v.withheld || v.source.kind === 'env-file' ? MASK : v.value;
  }
  return out;
};

/** Seed services' status: "running" only once ready; transitions are "unknown". */
export const serviceStatus = (phase: UnitPhase | null, enabled: boolean): ServiceStatus => {
  switch (phase) {
    case 'ready':
      return 'running';
    case 'failed':
      return 'failed';
    case 'stopped':
    case null:
      return 'stopped';
    case 'pending':
      return enabled ? 'unknown' : 'stopped';
    default:
      return 'unknown';
  }
};

/** Seed servers' status; backoff reads "restarting", stopping reads "stopped". */
export const serverStatus = (phase: UnitPhase | null, enabled: boolean): ServerStatus => {
  switch (phase) {
    case 'pending':
      return enabled ? 'starting' : 'stopped';
    case 'installing':
    case 'starting':
    case 'running':
    case 'ready':
    case 'failed':
      return phase;
    case 'backoff':
      return 'restarting';
    default:
      return 'stopped';
  }
};

/** `healthy` and `health_status`: the probe's state, or derived from the phase when there is no probe. */
export const healthOf = (observed: ObservedUnit | null, enabled: boolean): { healthy: boolean; health_status: HealthStatus } => {
  if (observed?.health) return { healthy: observed.health.healthy, health_status: observed.health.status };
  const phase = observed?.phase ?? null;
  if (phase === 'ready') return { healthy: true, health_status: 'healthy' };
  const coming = phase === 'installing' || phase === 'starting' || phase === 'running' || (phase === 'pending' && enabled);
  return { healthy: false, health_status: coming ? 'checking' : 'unhealthy' };
};

const detail = ({ desired, observed, hold }: UnitState): UnitDetail => ({
  phase: observed?.phase ?? 'pending',
  owner: desired.owner,
  enabled: desired.enabled,
  restart_count: observed?.restart_count ?? 0,
  exit_code: observed?.last_exit?.code ?? null,
  exit_signal: observed?.last_exit?.signal ?? null,
  last_error: observed?.last_error ?? null,
  hold: hold ? { reason: hold.reason, on: hold.on, message: hold.message } : null,
});

/** `GET /v1/services/{name}`. */
export const toServiceView = (state: UnitState): ServiceView => {
  const { spec, enabled } = state.desired;
  const observed = state.observed;
  return {
    name: spec.name,
    cmd: spec.cmd,
    args: spec.args,
    env: envView(spec.env),
    working_dir: spec.cwd,
    user: spec.user,
    health_port: spec.health_port,
    needs: spec.needs.map((n) => n.name),
    container: spec.container,
    image: spec.image ?? '',
    status: serviceStatus(observed?.phase ?? null, enabled),
    pid: observed?.pid ?? null,
    port: observed?.port ?? spec.port,
    ...detail(state),
  };
};

/** `GET /v1/servers/{slug}`; `url` once the server runs on its port. */
export const toServerView = (state: UnitState, urlHost: string = DEFAULT_URL_HOST): ServerView => {
  const { spec, enabled } = state.desired;
  const observed = state.observed;
  const phase = observed?.phase ?? null;
  const port = observed?.port ?? null;
  const serving = phase === 'running' || phase === 'ready';
  return {
    slug: spec.name,
    status: serverStatus(phase, enabled),
    url: port !== null && serving ? serverUrl(urlHost, port) : null,
    port: port ?? spec.port,
    strict_port: spec.strict_port,
    pid: observed?.pid ?? null,
    ...healthOf(observed, enabled),
    install: spec.install,
    start: spec.cmd,
    path: spec.cwd,
    environment: envView(spec.env),
    env_file: spec.env_files.map((f) => f.path),
    restart_policy: spec.restart_policy,
    max_restarts: spec.max_restarts,
    restart_delay_ms: spec.restart_delay_ms,
    stop_timeout_ms: spec.stop_timeout_ms,
    health_check: spec.health_check,
    needs: spec.needs.map((n) => n.name),
    ...detail(state),
  };
};

/** One row of `GET /v1/status`. */
export const toUnitStatus = (state: UnitState): UnitStatusView => {
  const observed = state.observed;
  const probed = state.desired.spec.health_port !== null || state.desired.spec.health_check !== null;
  const health = healthOf(observed, state.desired.enabled);
  return {
    name: state.desired.spec.name,
    kind: state.desired.spec.kind,
    pid: observed?.pid ?? null,
    port: observed?.port ?? null,
    healthy: probed ? health.healthy : null,
    health_status: probed ? health.health_status : null,
    ready_at: observed?.ready_at ?? null,
    started_at: observed?.started_at ?? null,
    ...detail(state),
  };
};

/** `GET /v1/status`: every unit (sorted by name) and overlay. */
export const toStatusView = (snapshot: { desired: DesiredModel; observed: ObservedState; holds: Hold[] }): StatusView => ({
  project: snapshot.desired.project,
  units: Object.keys(snapshot.desired.units)
    .sort()
    .map((name) => unitState(snapshot, name))
    .filter((s): s is UnitState => s !== null)
    .map(toUnitStatus),
  overlays: Object.values(snapshot.observed.overlays)
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((o) => ({ name: o.name, status: o.status, digest: o.digest, error: o.error })),
});
