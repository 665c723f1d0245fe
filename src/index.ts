// The package's public entry (`import { Sandbox } from 'sbx'`): the SDK and the types its calls take and answer.

export { Sandbox, type ConnectOptions } from './sdk/sandbox.js';
export { SbxError } from './sdk/errors.js';
export { EventStream } from './sdk/events.js';
export type { Services } from './sdk/services.js';
export type { Servers } from './sdk/servers.js';
export type { Checkpoints, Checkpoint, CheckpointUnit, RestoreResult } from './sdk/checkpoints.js';
export type {
  ApplyMessage,
  ApplyOptions,
  ApplyResult,
  EngineEvent,
  ExecOptions,
  ExecResult,
  LogsOptions,
  LogsResult,
  OverlayDeclaration,
  PlanOptions,
  PlanView,
  Server,
  ServerStartOptions,
  ServerStatus,
  Service,
  ServiceOptions,
  ServiceStatus,
  StatusView,
} from './sdk/types.js';
export type { Diagnostic } from './shared/diagnostic.js';
