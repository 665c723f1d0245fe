// Which probe tells that a unit is ready (and stays alive): HTTP on its port, or TCP on its health_port.

import type { UnitSpec } from '../manifest/types.js';
import type { HealthSchedule } from '../runtime/prober.js';

/** TCP readiness probes (`health_port`) run at this pace; HTTP checks use the unit's own settings. */
export const TCP_PROBE = { interval_ms: 1000, timeout_ms: 1000, delay_ms: 0 };

/** What to probe for a unit: HTTP on its port when it has a health_check, else TCP on its health_port, else nothing. */
export const healthSchedule = (spec: UnitSpec, port: number | null): HealthSchedule | null => {
  const httpPort = port ?? spec.health_port;
  if (spec.health_check && httpPort !== null) {
    const { path, interval_ms, timeout_ms, delay_ms } = spec.health_check;
    return { target: { kind: 'http', url: `http://127.0.0.1:${httpPort}${path}` }, interval_ms, timeout_ms, delay_ms };
  }
  if (spec.health_port !== null) return { target: { kind: 'tcp', host: '127.0.0.1', port: spec.health_port }, ...TCP_PROBE };
  return null;
};
