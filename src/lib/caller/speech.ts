import {spawn, spawnSync} from 'node:child_process'

/**
 * Variables a speech synthesiser needs to find itself, its voices and the sound server: nothing
 * else of ours (API keys, webhook auth headers) reaches the child.
 */
const SPEECH_ENV = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'XDG_RUNTIME_DIR', 'PULSE_SERVER', 'PULSE_COOKIE', 'ESPEAK_DATA_PATH', 'AUDIODEV'] as const

export function speechEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const picked: Record<string, string> = {}
  for (const name of SPEECH_ENV) {
    const value = env[name]
    if (value !== undefined) picked[name] = value
  }
  return picked
}

export interface Speaker {
  /** Queues a prompt; prompts are spoken one after the other, never over each other. */
  say(text: string): void
}

/**
 * Speaks prompts through espeak-ng when it is installed (undefined otherwise). The text goes on
 * the child's stdin (`--stdin`), never in its arguments: a prompt like "-w out.wav" is words
 * to say, not an option.
 */
export function espeakSpeaker(env: Readonly<Record<string, string | undefined>>, command = 'espeak-ng'): Speaker | undefined {
  const childEnv = speechEnvironment(env)
  if (spawnSync(command, ['--version'], {stdio: 'ignore', env: childEnv}).status !== 0) return undefined
  let queue = Promise.resolve()
  const speakOne = (text: string) => new Promise<void>((resolve) => {
    const child = spawn(command, ['--stdin'], {stdio: ['pipe', 'ignore', 'ignore'], env: childEnv})
    child.on('error', () => resolve())
    child.on('close', () => resolve())
    child.stdin.on('error', () => {})
    child.stdin.end(text)
  })
  return {
    say(text: string) {
      queue = queue.then(() => speakOne(text))
    },
  }
}
