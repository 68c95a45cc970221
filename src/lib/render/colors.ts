import {Chalk, type ChalkInstance} from 'chalk'

/** A chalk that colours only when told to (the base command decides: a TTY, no NO_COLOR, no --json). */
export function makeColors(enabled: boolean): ChalkInstance {
  return new Chalk({level: enabled ? 2 : 0})
}

export type Colors = ChalkInstance
