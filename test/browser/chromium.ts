// Debian's Chromium, headless, driven by playwright-core (which downloads no browser of its own).
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {chromium, type BrowserContext} from 'playwright-core'

export const CHROMIUM = process.env.IVR_CHROMIUM || '/usr/bin/chromium'

/**
 * A fresh headless Chromium with an empty profile. The flags keep it off the network it would
 * otherwise reach for at start (updates, sync, safe browsing): this machine's network is closed.
 */
export async function launchChromium(): Promise<{context: BrowserContext; close: () => Promise<void>}> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}. Install Debian's: apt-get install -y chromium (or set IVR_CHROMIUM to a Chromium binary). .ci/run installs it.`)
  }
  const profile = mkdtempSync(path.join(tmpdir(), 'ivr-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  return {
    context,
    close: async () => {
      await context.close()
      rmSync(profile, {recursive: true, force: true})
    },
  }
}
