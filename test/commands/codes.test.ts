import {expect} from 'chai'

import {runIvr} from '../helpers/run.js'

describe('codes', () => {
  it('explains one code, given with or without its minus', async () => {
    for (const arg of ['-1009', '1009']) {
      const r = await runIvr(['codes', arg])
      expect(r.exitCode).to.equal(0)
      expect(r.stdout).to.contain('-1009  Invalid callflow entry').and.contain('the JSON path says which')
    }
    const r = await runIvr(['codes', '-2006'])
    expect(r.stdout).to.contain('File download for playback failed').and.contain('session error code')
  })

  it('says why -1005 is only a warning when overallTimeout is left out', async () => {
    const r = await runIvr(['codes', '-1005'])
    expect(r.exitCode).to.equal(0)
    expect(r.stdout.replace(/\s+/g, ' ')).to.contain('ivr only warns: 8x8\'s own Send Callflow example sets digitTimeout without overallTimeout')
  })

  it('lists the table, filtered by kind, as JSON too', async () => {
    let r = await runIvr(['codes'])
    expect(r.stdout).to.match(/-1017\s+status\s+Invalid MSISDN format in destination/).and.match(/-2010\s+session-error\s+Trunk capacity exceeded/)
    r = await runIvr(['codes', '--kind', 'session-error', '--json'])
    const codes = JSON.parse(r.stdout).map((c: {code: number}) => c.code)
    expect(codes).to.include(-2005).and.not.include(-1009)
  })

  it('says so for a code that does not exist (exit 5)', async () => {
    const r = await runIvr(['codes', '-1234'])
    expect(r.exitCode).to.equal(5)
    expect(r.stderr).to.contain('-1234 is not a code')
  })
})
