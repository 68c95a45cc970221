import {expect} from 'chai'

import {parseWebhook, readCallEvent, readSummary} from '../../../src/lib/webhooks/parse.js'
import {vss} from './fixtures.js'

describe('webhooks/parse: tolerant reading', () => {
  it('reads a tidy VSS', () => {
    const p = parseWebhook(vss('s-1'))
    expect(p.kind).to.equal('vss')
    expect(p.eventType).to.equal('SESSION_SUMMARY')
    expect(p.sessionId).to.equal('s-1')
    expect(p.summary?.legs).to.have.length(1)
    expect(p.summary?.legs[0].callQuality?.mos).to.equal(4.4)
    expect(p.summary?.errorDetails).to.equal(undefined)
  })

  it('accepts other key casings, "null" strings, numbers as strings and missing fields', () => {
    const body = {
      Namespace: 'VOICE', EventType: 'session_summary',
      Payload: {
        SessionId: 'S-2', SessionStatus: 'error', LastAction: 'say', CallCount: '2', ClientRequestId: 'null',
        ErrorDetails: {ErrorCode: '-2005', ErrorMsg: 'tts'},
        Details: {
          CallA: {CallDirection: 'outbound', Source: '+6531591234', Destination: '6591238965', CallDuration: '12', ConnectedTimestamp: 'null', CallQuality: {MOS: '3.2', PacketLossRate: '1.5%', Jitter: 'null'}},
          callB: 'null',
        },
      },
    }
    const s = parseWebhook(body).summary!
    expect(s.sessionId).to.equal('S-2')
    expect(s.sessionStatus).to.equal('ERROR')
    expect(s.lastAction).to.equal('SAY')
    expect(s.callCount).to.equal(2)
    expect(s.clientRequestId).to.equal(undefined)
    expect(s.errorDetails).to.deep.equal({errorCode: -2005, errorMsg: 'tts'})
    expect(s.legs).to.have.length(1)
    expect(s.legs[0]).to.include({callDirection: 'OUTBOUND', callDuration: 12, destination: '6591238965'})
    expect(s.legs[0].connectedTimestamp).to.equal(undefined)
    expect(s.legs[0].callQuality).to.deep.equal({mos: 3.2, packetLossRate: 1.5})
  })

  it('reads a bare payload without an envelope, and details given as a list of legs', () => {
    const s = readSummary({sessionId: 'bare', sessionStatus: 'BUSY', details: [{callId: 'a'}, {callId: 'b', callDuration: 3}]})
    expect(s.sessionStatus).to.equal('BUSY')
    expect(s.legs.map((l) => l.callId)).to.deep.equal(['a', 'b'])
    expect(parseWebhook({sessionId: 'bare', sessionStatus: 'BUSY'}).kind).to.equal('vss')
  })

  it('keeps an unknown event type raw, and never throws on odd bodies', () => {
    const body = {eventType: 'RECORDING_UPLOADED', payload: {sessionId: 'r-1', url: 'x'}}
    const p = parseWebhook(body)
    expect(p).to.deep.include({kind: 'other', eventType: 'RECORDING_UPLOADED', sessionId: 'r-1'})
    expect(p.raw).to.equal(body)
    for (const odd of [{}, [], {payload: null}, {payload: '{"sessionId":"enc","sessionStatus":"COMPLETED"}'}, {eventType: 42}, {details: 'null'}]) {
      expect(() => parseWebhook(odd)).not.to.throw()
    }
    expect(parseWebhook({}).eventType).to.equal('UNKNOWN')
    expect(parseWebhook({payload: '{"sessionId":"enc","sessionStatus":"COMPLETED"}'}).sessionId).to.equal('enc')
  })

  it('reads a VCA for the menu server: digits, clientActionId, source, destination', () => {
    const e = readCallEvent({eventType: 'CALL_ACTION', payload: {EventId: 'e1', SessionId: 's', CallStatus: 'action_completed', Source: '+6531591234', Destination: '+6591238965', EventData: {DTMF: '12#'}, ClientActionId: 'menu-main'}})
    expect(e).to.include({eventType: 'CALL_ACTION', eventId: 'e1', sessionId: 's', callStatus: 'ACTION_COMPLETED', digits: '12#', clientActionId: 'menu-main', source: '+6531591234'})
    expect(readCallEvent({payload: {eventData: {dtmf: 'null'}, clientActionId: null}})).not.to.have.any.keys('digits', 'clientActionId')
    expect(readCallEvent({payload: {eventData: {dtmf: 7}}}).digits).to.equal('7')
    expect(parseWebhook({eventType: 'CALL_STATUS', payload: {sessionId: 's', eventId: 'e2', callStatus: 'ringing'}})).to.deep.include({kind: 'vcs', eventId: 'e2'})
  })
})
