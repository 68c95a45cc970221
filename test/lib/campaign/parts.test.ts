import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {importContacts, readDoNotCall, readNumber} from '../../../src/lib/campaign/contacts.js'
import {parseRetry, readCampaignFile, readSettings} from '../../../src/lib/campaign/definition.js'
import type {CampaignDefinition, SkippedRow} from '../../../src/lib/campaign/model.js'
import {Pacer} from '../../../src/lib/campaign/pacer.js'
import {retryAtFor} from '../../../src/lib/campaign/runner.js'
import {formatWindow, parseWindow, windowState, zonesFor} from '../../../src/lib/campaign/window.js'
import {projectRoot} from '../../helpers/run.js'

describe('campaign parts', () => {
  describe('numbers and contacts', () => {
    it('reads the ways lists write numbers as E.164', () => {
      expect(readNumber('+65 9123 0001').e164).to.equal('+6591230001')
      expect(readNumber('0065-9123-0001').e164).to.equal('+6591230001')
      expect(readNumber('6591230001').e164).to.equal('+6591230001')
      expect(readNumber('12345').reason).to.match(/too short/)
      expect(readNumber('').reason).to.match(/empty/)
      expect(readNumber('+65 call me').reason).to.match(/other than digits/)
    })

    it('streams a CSV: number column by name, other columns kept, duplicates and do-not-call set aside with their rows', async () => {
      const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-contacts-'))
      try {
        const file = path.join(dir, 'c.csv')
        await fs.writeFile(file, '\uFEFFName,Phone Number,Note\r\nAnn,+65 9123 0001,"likes ""quotes"", commas"\r\nBob,+6591230002,\r\nAnn2,006591230001,dup\r\nCy,+6591230003,dnc\r\n')
        const dnc = path.join(dir, 'dnc.txt')
        await fs.writeFile(dnc, '# never\n+65 9123 0003\n')
        const contacts: Array<{row: number; number: string; vars: Record<string, string>}> = []
        const skipped: SkippedRow[] = []
        const summary = await importContacts({file, doNotCall: await readDoNotCall(dnc), onContact: (c) => void contacts.push(c), onSkipped: (s) => void skipped.push(s)})
        expect(summary).to.include({numberColumn: 'Phone Number', rows: 4, contacts: 2})
        expect(summary.columns).to.deep.equal(['Name', 'Note'])
        expect(contacts).to.deep.equal([
          {row: 2, number: '+6591230001', vars: {Name: 'Ann', Note: 'likes "quotes", commas'}},
          {row: 3, number: '+6591230002', vars: {Name: 'Bob', Note: ''}},
        ])
        expect(skipped.map((s) => [s.row, s.reason])).to.deep.equal([[4, 'duplicate'], [5, 'do-not-call']])
        expect(skipped[0].detail).to.match(/also on row 2/)
      } finally {
        await fs.rm(dir, {recursive: true, force: true})
      }
    })
  })

  describe('settings', () => {
    it('reads retry policies: statuses, further calls, delay', () => {
      expect(parseRetry('busy,no-answer:2:30m')).to.deep.equal({BUSY: {retries: 2, delayMs: 1_800_000}, NO_ANSWER: {retries: 2, delayMs: 1_800_000}})
      expect(parseRetry(['failed:1:5m'])).to.deep.equal({FAILED: {retries: 1, delayMs: 300_000}})
      expect(() => parseRetry('completed:1:5m')).to.throw(/cannot be retried|not an outcome/)
      expect(() => parseRetry('busy:2')).to.throw(/STATUSES:RETRIES:DELAY/)
    })

    it('the retry policy counts calls placed: busy:2 allows three calls in all', () => {
      // Only the retry policy is read: the rest of the definition is left out on purpose.
      const def = {retry: {BUSY: {retries: 2, delayMs: 1000}}} as unknown as CampaignDefinition
      expect(retryAtFor(def, 'BUSY', 1, 0)).to.equal(1000)
      expect(retryAtFor(def, 'BUSY', 2, 0)).to.equal(1000)
      expect(retryAtFor(def, 'BUSY', 3, 0)).to.equal(undefined)
      expect(retryAtFor(def, 'NO_ANSWER', 1, 0)).to.equal(undefined)
      expect(retryAtFor(def, 'COMPLETED', 1, 0)).to.equal(undefined)
    })

    it('--live-timeout is a timeout like every other: a duration, or a bare number of seconds', () => {
      const base = {name: 'x', contacts: 'c.csv', menu: 'm.yaml', from: '+6531591234'}
      expect(readSettings({...base, liveTimeout: '90'}).liveTimeoutMs).to.equal(90_000)
      expect(readSettings({...base, liveTimeout: '15m'}).liveTimeoutMs).to.equal(900_000)
      expect(() => readSettings({...base, liveTimeout: 'soon'})).to.throw('--live-timeout "soon" is not a duration')
    })

    it('the example campaign file reads, with paths from its folder', async () => {
      const file = path.join(projectRoot, 'examples', 'campaigns', 'reminders.yaml')
      const opts = readSettings(await readCampaignFile(file))
      expect(opts.contacts).to.equal(path.join(projectRoot, 'examples', 'campaigns', 'contacts.csv'))
      expect(opts.content).to.deep.equal({kind: 'menu', file: path.join(projectRoot, 'examples', 'campaigns', 'reminder-menu.yaml')})
      expect(opts).to.include({rate: 2, maxLive: 5})
      expect(opts.retry.BUSY).to.deep.equal({retries: 2, delayMs: 1_800_000})
    })
  })

  describe('the calling window', () => {
    const at = (iso: string) => Date.parse(iso)
    it('reads HH:MM-HH:MM with days, and refuses one that never opens', () => {
      expect(parseWindow('09:00-20:00')).to.deep.equal({startMinute: 540, endMinute: 1200})
      expect(formatWindow(parseWindow('mon-fri 9:00-18:30'))).to.equal('mon,tue,wed,thu,fri 09:00-18:30')
      expect(() => parseWindow('20:00-09:00')).to.throw(/never opens/)
      expect(() => parseWindow('9-5')).to.throw(/not a time range/)
    })

    it('is open in the callee\'s zone, and says when it closes or opens', () => {
      const w = parseWindow('09:00-20:00')
      const sg = zonesFor({}, 'SG')
      expect(sg).to.deep.equal(['Asia/Singapore'])
      // 10:00 in Singapore (UTC+8).
      expect(windowState(w, sg, at('2026-03-02T02:00:00Z'))).to.deep.equal({open: true, closesAt: at('2026-03-02T12:00:00Z')})
      // 21:00 in Singapore: opens at 09:00 the next day.
      expect(windowState(w, sg, at('2026-03-02T13:00:00Z'))).to.deep.equal({open: false, opensAt: at('2026-03-03T01:00:00Z')})
    })

    it('a country of several zones gets the hours open in all of them; a timezone column narrows it', () => {
      const w = parseWindow('09:00-20:00')
      const us = zonesFor({}, 'US')
      expect(us.length).to.be.greaterThan(5)
      // 12:00 in New York (17:00 UTC) is 07:00 in Honolulu: closed for a US number of unknown zone…
      expect(windowState(w, us, at('2026-01-14T17:00:00Z')).open).to.equal(false)
      // …open for one whose column says New York.
      expect(windowState(w, zonesFor({timezone: 'America/New_York'}, 'US'), at('2026-01-14T17:00:00Z')).open).to.equal(true)
      // A window of two hours has no overlap across the US at all.
      expect(windowState(parseWindow('09:00-11:00'), us, at('2026-01-14T17:00:00Z'))).to.deep.equal({open: false})
    })
  })

  describe('the pacer', () => {
    it('keeps a fixed grid, restarts it after idling, and halves after a 429 until Retry-After', () => {
      let now = 1000
      const p = new Pacer({rate: 10, now: () => now})
      expect(p.dueAt()).to.equal(1000)
      expect(p.started(1003)).to.equal(3)
      expect(p.dueAt()).to.equal(1100)
      now = 1150
      expect(p.started(1150)).to.equal(50)
      expect(p.dueAt()).to.equal(1200)
      now = 5000
      p.idle(5000)
      expect(p.dueAt()).to.equal(5000)
      p.limited(2000, 5000)
      expect(p.rate).to.equal(5)
      expect(p.dueAt()).to.equal(7000)
      expect(p.holding(6999)).to.equal(7000)
      expect(p.holding(7000)).to.equal(undefined)
    })
  })
})
