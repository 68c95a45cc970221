import {expect} from 'chai'

import {startProgress} from '../../../src/lib/logs/progress.js'

describe('logs progress', () => {
  it('without a terminal: a plain line per change, a reminder when nothing changes for a while, no live details', () => {
    let out = ''
    let t = 0
    const p = startProgress({write: (s) => (out += s), tty: false, now: () => t, heartbeatMs: 30_000})
    p.set('queued', 'Export job: queued')
    t += 5000
    p.set('queued', 'Export job: queued')
    t += 30_000
    p.set('queued', 'Export job: queued')
    p.set('file-0', 'Downloading a.csv (3.0 MB)', '1.0 KB of 3.0 MB')
    p.set('file-0', 'Downloading a.csv (3.0 MB)', '2.0 KB of 3.0 MB')
    p.stop()
    expect(out).to.equal('Export job: queued (0s)\nExport job: queued (35s)\nDownloading a.csv (3.0 MB) (35s)\n')
  })

  it('on a terminal: one line redrawn in place with the live detail, cleared at the end', () => {
    let out = ''
    let t = 0
    const p = startProgress({write: (s) => (out += s), tty: true, now: () => t})
    p.set('file-0', 'Downloading a.csv', '1.0 KB of 3.0 MB')
    t = 61_000
    p.set('file-0', 'Downloading a.csv', '2.0 KB of 3.0 MB')
    p.stop()
    expect(out).not.to.contain('\n')
    const frames = out.split('\r\u001B[2K').filter(Boolean)
    expect(frames).to.have.length(2)
    expect(frames[1]).to.match(/^. Downloading a\.csv: 2\.0 KB of 3\.0 MB · 1m01s$/)
    expect(out.endsWith('\r\u001B[2K')).to.equal(true)
  })
})
