/** The flags that give a sandbox a callee population: `sandbox start` and `campaign run --sandbox` share them. */
import {Flags} from '@oclif/core'

export const populationFlags = {
  population: Flags.string({summary: 'How called numbers answer, as relative weights: answer=70,busy=10,no-answer=15,failed=5 (any outcome of docs/sandbox.md). Magic numbers and scripts still win.'}),
  presses: Flags.string({summary: 'What called numbers press, as relative weights: 1=60,2=30,none=10 (keys per capture joined by /, e.g. 1/3).'}),
  seed: Flags.integer({summary: 'Seed of --population and --presses: the same seed gives each number the same behaviour.', default: 0}),
}
