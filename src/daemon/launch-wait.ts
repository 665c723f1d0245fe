// The servers seed answers `start` and `restart` while the server is still coming up (status "starting"): run the
// engine's action and answer once the unit was launched, or once the action finished, whichever comes first.

import type { UnitPhase } from '../engine/types.js';
import type { ApiContext } from './route.js';

/** Phases that mean a new run was launched (or ended at once). */
const LAUNCHED = new Set<UnitPhase>(['installing', 'starting', 'running', 'ready', 'failed']);

/** Runs `action` for `name`; resolves when a launch phase is seen or the action settles (its failure is thrown if first). */
export const untilLaunched = (ctx: ApiContext, name: string, action: () => Promise<void>): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    let answered = false;
    const answer = (): void => {
      if (answered) return;
      answered = true;
      unsubscribe();
      resolve();
    };
    const unsubscribe = ctx.deps.engine.subscribe((event) => {
      if (event.type === 'unit-phase' && event.unit === name && LAUNCHED.has(event.phase)) answer();
    });
    action().then(answer, (error: unknown) => {
      if (!answered) {
        answered = true;
        unsubscribe();
        reject(error);
        return;
      }
      ctx.logger.warn({ err: error, unit: name }, 'action failed after the answer was sent');
    });
  });
