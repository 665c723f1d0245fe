// The one error shape of the container driver: what went wrong with podman/docker, said plainly, with a code to branch on.

/** Why a container operation could not happen. */
export type ContainerErrorCode =
  /** Neither podman nor docker (nor the chosen runtime) is installed. */
  | 'no-runtime'
  /** SBX_CONTAINER_* settings that cannot be used. */
  | 'bad-config'
  /** The unit cannot be run as a container as declared (image, env, name...). */
  | 'bad-spec'
  /** exec into a container that is not running. */
  | 'not-running'
  /** The runtime CLI failed (its own message is quoted). */
  | 'runtime-failed';

/** Raised by the container driver; the message names the unit, field or setting at fault. */
export class ContainerError extends Error {
  constructor(
    message: string,
    readonly code: ContainerErrorCode,
  ) {
    super(message);
    this.name = 'ContainerError';
  }
}
