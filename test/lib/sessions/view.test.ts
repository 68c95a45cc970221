import {expect} from 'chai'

import {makeColors} from '../../../src/lib/render/colors.js'
import {parseWebhook} from '../../../src/lib/webhooks/parse.js'
import {makeStoredEvent} from '../../../src/lib/sessions/stored-event.js'
import {bar} from '../../../src/lib/render/chart.js'
import {sessionRow} from '../../../src/lib/sessions/row.js'
import {eventLine, renderSession, summaryLine} from '../../../src/lib/sessions/view.js'
import {vss} from '../webhooks/fixtures.js'

const colors = makeColors(false)
const event = (body: unknown) => makeStoredEvent(parseWebhook(body), {bodyText: JSON.stringify(body)})

describe('sessions/view: how sessions read', () => {
  it('puts a summary on one line with masked numbers, duration, legs, MOS band and last action', () => {
    const line = summaryLine(event(vss('3f2a9c1e-5b7d-4c1e')), {colors})
    expect(line).to.match(/^\d\d:\d\d:\d\d {2}COMPLETED {2}3f2a9c1e {2}\+65\*\*\*\*1234 → \+65\*\*\*\*8965 {2}1m25s {2}1 leg {2}MOS 4\.4 excellent {2}last HANGUP$/)
    expect(line).not.to.contain('91238965')
    expect(summaryLine(event(vss('x')), {colors, showNumbers: true})).to.contain('+6531591234 → +6591238965')
  })

  it('explains an error code from the shared table and shows the worst MOS over the legs', () => {
    const body = vss('e', {sessionStatus: 'ERROR', errorDetails: {errorCode: -2006, errorMsg: 'download failed'}})
    body.payload.details.callB = {...body.payload.details.callA, callQuality: {mos: 3.0, packetLossRate: 3, jitter: 40}}
    const line = summaryLine(event(body), {colors})
    expect(line).to.contain('ERROR')
    expect(line).to.contain('2 legs')
    expect(line).to.contain('MOS 3.0 bad')
    expect(line).to.contain('-2006 File download for playback failed')
  })

  it('shows a whole session: legs table, outcome, the error explained', () => {
    const body = vss('sess-1', {sessionStatus: 'ERROR', errorDetails: {errorCode: -2005, errorMsg: 'tts'}})
    const text = renderSession([event(body), event({eventType: 'CALL_STATUS', payload: {sessionId: 'sess-1', eventId: 'e', callStatus: 'answered', source: '+6531591234', destination: '+6591238965'}})], {colors})
    expect(text).to.match(/Status\s+ERROR/)
    expect(text).to.contain('-2005 TTS failed (platform: "tts")')
    expect(text).to.contain('Text-to-speech failed')
    expect(text).to.match(/Leg\s+Direction\s+From\s+To\s+Connected\s+Disconnected\s+Duration\s+Status\s+MOS\s+Loss\s+Jitter/)
    expect(text).to.match(/A\s+OUTBOUND\s+\+65\*\*\*\*1234\s+\+65\*\*\*\*8965/)
    expect(text).to.contain('4.4 excellent')
    expect(text).to.contain('0.1%')
    expect(text).to.contain('CALL_STATUS')
  })

  it('strips escape sequences a payload smuggles in', () => {
    const line = summaryLine(event(vss('\u001b[31mevil\u001b[0m', {lastAction: 'SAY\u0007\u001b]0;title\u0007'})), {colors})
    expect(line).not.to.match(/[\u0000-\u001f]/)
    const raw = eventLine(event({eventType: 'X\u001b[2J', payload: {a: '\u001b[31m'}}), {colors})
    expect(raw).not.to.contain('\u001b')
  })

  it('derives answered, durations and billable-looking minutes from the legs', () => {
    const body = vss('m')
    body.payload.details.callB = {...body.payload.details.callA, callDuration: 61}
    const row = sessionRow(event(body))
    expect(row).to.include({answered: true, durationSec: 85, billableMinutes: 4, legSeconds: 146, legs: 2, country: 'SG', mosBand: 'excellent'})
    const busy = sessionRow(event(vss('b', {sessionStatus: 'BUSY', details: {callA: {callDuration: 0, connectedTimestamp: null}}})))
    expect(busy).to.include({answered: false, billableMinutes: 0})
  })

  it('draws bars proportional to the value', () => {
    expect(bar(10, 10, 5)).to.equal('█████')
    expect(bar(5, 10, 4)).to.equal('██')
    expect(bar(0, 10, 4)).to.equal('')
  })
})
