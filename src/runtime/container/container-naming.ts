// Deterministic container names and labels: a run's container is found again from (project, unit, run id), and
// `down` finds every leftover of a project by label.

import { createHash } from 'node:crypto';
import { ContainerError } from './container-error.js';

/** Label naming the project (its key, see projectKey). */
export const PROJECT_LABEL = 'sbx.project';
/** Label naming the unit. */
export const UNIT_LABEL = 'sbx.unit';
/** Label naming the run. */
export const RUN_LABEL = 'sbx.run';

/** What podman and docker accept as a container name. */
const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
/** Unit names and run ids go into names and labels verbatim, so they must already be safe. */
const NAME_PART = /^[a-z0-9][a-z0-9-]{0,62}$/;
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** The project name reduced to [a-z0-9-] (readable part of names). */
const slugOf = (project: string): string => {
  const slug = project
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/g, '');
  return slug === '' ? 'project' : slug;
};

/**
 * The project's label value: readable slug plus a hash of the exact name, so "my app" and "my-app" never share
 * leftovers, and the value is safe in a label filter whatever the project is called.
 */
export const projectKey = (project: string): string =>
  `${slugOf(project)}-${createHash('sha256').update(project, 'utf8').digest('hex').slice(0, 8)}`;

const checkParts = (unit: string, runId: string): void => {
  if (!NAME_PART.test(unit)) throw new ContainerError(`unit name ${JSON.stringify(unit)} cannot name a container: use [a-z0-9][a-z0-9-]{0,62}`, 'bad-spec');
  if (!RUN_ID.test(runId)) throw new ContainerError(`run id ${JSON.stringify(runId)} cannot name a container`, 'bad-spec');
};

/** The container of one run: `sbx-<project slug>-<unit>-<run id>`. */
export const containerName = (project: string, unit: string, runId: string): string => {
  checkParts(unit, runId);
  const name = `sbx-${slugOf(project)}-${unit}-${runId}`;
  if (!CONTAINER_NAME.test(name)) throw new ContainerError(`cannot build a container name for unit ${unit}`, 'bad-spec');
  return name;
};

/** The labels every container of the run carries. */
export const containerLabels = (project: string, unit: string, runId: string): Record<string, string> => {
  checkParts(unit, runId);
  return { [PROJECT_LABEL]: projectKey(project), [UNIT_LABEL]: unit, [RUN_LABEL]: runId };
};
