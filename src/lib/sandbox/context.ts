import type {CallEngine} from './engine.js'
import type {SandboxState} from './state.js'

/** What the sandbox's routes share: the engine, its state, the clock, saving, and the server's URL. */
export interface SandboxContext {
  engine: CallEngine
  state: SandboxState
  now(): Date
  /** The state file is written soon after a change (when there is one). */
  scheduleSave(): void
  /** The URL the server is reached at (known once it listens). */
  baseUrl(): string
}
