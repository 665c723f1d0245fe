// Ports through the real daemon (issue 3): a strict port that is taken fails its unit with a clear error and leaves the
// others alone; without strict_port the unit gets the next free port, injected as PORT, and serves on it; a stopped
// unit's port is free again.

import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { E2eProject, UNIT_FIXTURE } from './helpers/e2e-project.js';

let project: E2eProject | null = null;
const holders: Server[] = [];
afterEach(async () => {
  await project?.teardown();
  project = null;
  for (const server of holders.splice(0)) await new Promise<void>((done) => server.close(() => done()));
});

/** Listens on 127.0.0.1:port (0 = any free port); resolves with the server and the port it got. */
const listen = (port: number): Promise<{ server: Server; port: number }> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });

/** GET http://127.0.0.1:port/ → the fixture's JSON answer. */
const ask = async (port: number): Promise<{ name: string; pid: number }> => (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { name: string; pid: number };

describe('ports', () => {
  it('strict_port on a taken port fails that unit clearly; without it the next free port is injected as PORT', async () => {
    project = await E2eProject.create('sbx-e2e-ports-');
    // Two ports held by the test: one asked for strictly, the other not (one port asked twice is a manifest error).
    const taken = await listen(0);
    const takenToo = await listen(0);
    holders.push(taken.server, takenToo.server);
    const server = (name: string, port: number, strict: boolean): string =>
      `  ${name}:\n    start: exec node ${UNIT_FIXTURE}\n    port: ${port}\n    strict_port: ${strict}\n    environment: { UNIT_NAME: ${name} }\n`;
    await project.write('sandbox.yaml', `version: 1\nname: ports\nenvironment:\n  RECORD_DIR: ${project.recordDir}\nservers:\n${server('strict', taken.port, true)}${server('loose', takenToo.port, false)}`);

    const apply = await project.sbx(['apply']);
    expect(apply.exitCode).toBe(1);
    expect(apply.stdout + apply.stderr).toMatch(new RegExp(`strict.*port ${taken.port}.*(in use|taken)`, 'i'));
    const units = await project.units();
    expect(units.strict).toMatchObject({ phase: 'failed', pid: null });
    expect(units.strict?.last_error).toMatch(new RegExp(`${taken.port}`));
    expect(units.loose?.phase).toBe('ready');
    const loosePort = units.loose?.port ?? 0;
    expect(loosePort).toBeGreaterThan(takenToo.port);
    // The unit listens on the PORT it was given: the port status reports answers as that unit.
    expect(await ask(loosePort)).toMatchObject({ name: 'loose', pid: units.loose?.pid });

    // Stopped, the unit's port is free again.
    await project.sbxOk(['stop', 'loose']);
    const again = await listen(loosePort);
    expect(again.port).toBe(loosePort);
    await new Promise<void>((done) => again.server.close(() => done()));
  });
});
