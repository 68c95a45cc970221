/**
 * The base of the commands that run a local server the platform calls (`serve`, `sessions tail`):
 * the shared flags, the auth header, and the serving lifecycle with its messages (lease/serving.ts
 * holds the order of the steps; this prints what happened).
 */
import {Flags, type Command} from '@oclif/core'

import type {WebhookType} from '../lib/api/types.js'
import {IvrCommand} from './base-command.js'
import {usageError} from '../lib/errors.js'
import type {HeldLease} from '../lib/lease/lease.js'
import type {ServingOptions, StopResult} from '../lib/lease/serving.js'
import {safeLine} from '../lib/render/safe.js'
import {readSecretFromStdin} from '../lib/stdin.js'
import {isLoopbackHost} from '../lib/http/address.js'
import {checkWebhookUrl} from '../lib/webhooks/registration.js'

/** The flags every serving command has; `what` names what the server does, `example` a public URL. */
export function servingFlags(what: {type: WebhookType; serves: string; example: string}) {
  return {
    host: Flags.string({summary: 'Address to listen on. Anything but loopback is reachable by others: set an auth header.', default: '127.0.0.1'}),
    path: Flags.string({summary: `${what.serves} only on this path (others get 404); default: any path.`}),
    'auth-header-stdin': Flags.boolean({summary: 'Read the Authorization value the platform must send from stdin (or set IVR_WEBHOOK_AUTH).'}),
    register: Flags.boolean({summary: `Point the sub-account's ${what.type} webhook at --public-url while this runs, and put the previous one back on exit (e.g. --public-url ${what.example}).`}),
    'public-url': Flags.string({summary: 'The URL the platform reaches this server at (your tunnel or host), for --register.'}),
    force: Flags.boolean({summary: `With --register or --sandbox, replace an existing ${what.type} registration for the duration.`}),
  }
}

type ServingFlagValues = {host: string; path?: string; 'auth-header-stdin': boolean; register: boolean; 'public-url'?: string; force: boolean; sandbox?: boolean}

/** What a started server (with its lease, if any) offers the base: what was registered, and stopping. */
export interface Running {
  held?: HeldLease
  stop(): Promise<StopResult>
}

export abstract class ServingCommand<T extends typeof Command> extends IvrCommand<T> {
  private sandboxInProcess = false

  private get servingFlags(): ServingFlagValues {
    return this.flags as unknown as ServingFlagValues
  }

  /** --path with its leading slash. */
  protected get servePath(): string | undefined {
    const p = this.servingFlags.path
    return p === undefined ? undefined : p.startsWith('/') ? p : `/${p}`
  }

  /**
   * Checks the serving flags together, and returns the Authorization value the platform must send:
   * from stdin with --auth-header-stdin, else IVR_WEBHOOK_AUTH. Warns when the server is reachable
   * by others without one. `exposes`: what a stranger could do ("post events").
   */
  protected async servingSetup(exposes: string, example: string): Promise<string | undefined> {
    const f = this.servingFlags
    if (f.register && !f['public-url']) throw usageError('--register needs --public-url: the address the platform reaches this server at.', [`e.g. --public-url ${example} (a tunnel to this port).`])
    if (f['public-url'] && !f.register && !f.sandbox) this.warnUser('--public-url is used only with --register.')
    // Checked here, as `webhooks create --url` is (exit 2), not sent for the platform to refuse (422, exit 4).
    if (f.register && f['public-url']) checkWebhookUrl(f['public-url'], {sandbox: f.sandbox})
    const auth = f['auth-header-stdin'] ? await readSecretFromStdin(process.stdin, 'The auth header') : this.env.IVR_WEBHOOK_AUTH
    if (!auth && !isLoopbackHost(f.host)) this.warnUser(`Listening on ${f.host} without an auth header: anyone who can reach it can ${exposes}. Set one with --auth-header-stdin or IVR_WEBHOOK_AUTH.`)
    return auth
  }

  /** The lease to take while serving: with --register (the public URL) or --sandbox (the server's own). */
  protected async leaseFor(type: WebhookType, opts: {authHeader?: string; force?: boolean}): Promise<ServingOptions<never>['lease']> {
    const f = this.servingFlags
    if (!f.register && !f.sandbox) return undefined
    const creds = await this.credentials()
    // Said once the server listens: a server that fails to start (port in use) has only that to say.
    this.sandboxInProcess = Boolean(f.sandbox) && (await this.sandbox()).inProcess
    return {
      api: await this.api(), configDir: this.paths.configDir, account: creds.account, baseUrl: creds.baseUrl, type,
      url: f['public-url'], httpAuthHeader: opts.authHeader, force: opts.force ?? f.force, pid: process.pid,
    }
  }

  /**
   * Serves until Ctrl-C, SIGTERM or a closed stdout: the stop signals are listened for before the
   * server starts (a Ctrl-C while registering still undoes everything), then `begin` starts it,
   * `listening` announces it, and on stop it is closed and the registration put back.
   * Returns why it stopped ('EPIPE': quietly).
   */
  protected async serveUntilStopped<R extends Running>(type: WebhookType, begin: () => Promise<R>, listening: (running: R) => void): Promise<string> {
    const stopping = this.waitForStop()
    const running = await begin().catch((error: unknown) => {
      stopping.cancel()
      throw error
    })
    if (this.sandboxInProcess) {
      this.warnUser('No sandbox was running, so one runs inside this command: other terminals cannot reach it. Start one with `ivr sandbox start` in another terminal first.')
    }
    if (running.held) {
      for (const w of running.held.warnings) this.warnUser(w)
      const {lease, replaced} = running.held
      this.status(`Registered the ${type} webhook of ${safeLine(lease.account)} → ${safeLine(lease.url)}${replaced ? ` (was ${safeLine(replaced.url)}; put back on exit)` : ' (removed on exit)'}`)
    }
    listening(running)
    const reason = await stopping.stopped
    const quiet = reason === 'EPIPE'
    if (!quiet) this.status(this.errColors.dim(`Stopping (${reason}): finishing requests under way...`))
    const {restored, restoreError} = await running.stop()
    if (restored) {
      for (const w of restored.warnings) this.warnUser(w)
      if (!quiet && restored.action !== 'left') this.status(restored.action === 'restored' ? `Put the ${type} webhook back: ${safeLine(restored.url)}` : `Removed the temporary ${type} webhook.`)
    }
    if (restoreError) this.warnUser(`Could not put the ${type} webhook back (${safeLine((restoreError as Error).message)}). Run \`ivr webhooks restore\`.`)
    return reason
  }
}
