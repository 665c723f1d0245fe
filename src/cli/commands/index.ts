// Every CLI command, registered in help order. Add a command by adding its module here.

import type { Command } from 'commander';
import { registerEnv } from './env.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

/** A command module adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerValidate, registerEnv, registerSchema];
