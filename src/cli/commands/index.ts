// Every CLI command, registered in help order. Add a command by adding its module here.

import type { Command } from 'commander';

/** A command module adds itself to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [];
