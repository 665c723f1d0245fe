// Every CLI command, registered in help order. Add a command by adding its module here.

import type { Command } from 'commander';
import { registerApply } from './apply.js';
import { registerCheckpoint } from './checkpoint.js';
import { registerDaemon } from './daemon.js';
import { registerDiff } from './diff.js';
import { registerDown } from './down.js';
import { registerEnv } from './env.js';
import { registerExec } from './exec.js';
import { registerLifecycle } from './lifecycle.js';
import { registerLogs } from './logs.js';
import { registerSchema } from './schema.js';
import { registerStatus } from './status.js';
import { registerToken } from './token.js';
import { registerUp } from './up.js';
import { registerValidate } from './validate.js';
import { registerWhy } from './why.js';

/** A command module adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerApply,
  registerUp,
  registerDiff,
  registerValidate,
  registerStatus,
  registerLogs,
  registerLifecycle,
  registerWhy,
  registerEnv,
  registerExec,
  registerDown,
  registerCheckpoint,
  registerDaemon,
  registerToken,
  registerSchema,
];
