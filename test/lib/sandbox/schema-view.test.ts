import {expect} from 'chai'

import {makeColors} from '../../../src/lib/render/colors.js'
import type {Timeline} from '../../../src/lib/sandbox/engine.js'
import {checkSchema} from '../../helpers/schema-check.js'
import {formatTimeline} from '../../../src/lib/sandbox/timeline-view.js'

describe('sandbox schema checker', () => {
  const doc = {
    defs: {
      leg: {type: 'object', required: ['id'], properties: {id: {type: 'string'}, n: {type: 'integer', nullable: true}}},
    },
  }
  const at = (schema: object, value: unknown) => checkSchema(doc, schema, value).map((p) => `${p.path} ${p.message}`)

  it('checks type, required, nested properties and items through $ref', () => {
    const schema = {type: 'object', properties: {legs: {type: 'array', items: {$ref: '#/defs/leg'}}}}
    expect(at(schema, {legs: [{id: 'a', n: null}, {n: 1.5}]})).to.deep.equal(['$.legs[1].id is missing but it is required', '$.legs[1].n number found, integer expected'])
    expect(at(schema, {legs: [{id: 'a'}]})).to.deep.equal([])
  })

  it('checks enum, anyOf and allOf', () => {
    expect(at({enum: ['queued', 'running']}, 'done')).to.have.length(1)
    expect(at({anyOf: [{type: 'string'}, {type: 'integer'}]}, true)).to.deep.equal(['$ matches none of the anyOf alternatives'])
    expect(at({allOf: [{$ref: '#/defs/leg'}, {properties: {x: {type: 'boolean'}}}]}, {id: 'a', x: 'no'})).to.deep.equal(['$.x string found, boolean expected'])
  })

  it('accepts an integer where a number is expected, not the reverse', () => {
    expect(at({type: 'number'}, 3)).to.deep.equal([])
    expect(at({type: 'integer'}, 3.5)).to.have.length(1)
  })
})

describe('sandbox timeline view', () => {
  it('prints what happened, with remote strings stripped of control characters', () => {
    const t: Timeline = {
      sessionId: 's-1', subAccountId: 'sandbox', direction: 'OUTBOUND', source: '+6531591234', destination: '+6591234567', state: 'ended', sessionStatus: 'ERROR',
      startedAt: '2026-01-01T00:00:00.000Z',
      events: [
        {at: '2026-01-01T00:00:04.000Z', kind: 'call', leg: 'A', status: 'answered', number: '+6591234567', sipCode: 200},
        {at: '2026-01-01T00:00:04.000Z', kind: 'say', role: 'prompt', text: 'Press 1\u001B[2J now', voiceProfile: 'en-GB-Emma', repetition: 1, speed: 1, seconds: 1.2},
        {at: '2026-01-01T00:00:06.500Z', kind: 'capture', digits: null, valid: false, ended: 'overall-timeout', attempt: 1, tries: 1},
        {at: '2026-01-01T00:00:06.600Z', kind: 'error', code: -2003, message: 'Callflow invalid: VCA webhook answered HTTP 500'},
      ],
      summary: {
        sessionId: 's-1', subAccountId: 'sandbox', sessionStatus: 'ERROR', startTime: '2026-01-01T00:00:00.000Z', endTime: '2026-01-01T00:00:06.600Z', lastAction: 'SAY_AND_CAPTURE', callCount: 1,
        errorDetails: {errorCode: -2003, errorMsg: 'Callflow invalid'},
        details: {callA: {callId: 'c', callDirection: 'OUTBOUND', callType: 'PSTN', initiatedTimestamp: '2026-01-01T00:00:00.000Z', connectedTimestamp: '2026-01-01T00:00:04.000Z', disconnectedTimestamp: '2026-01-01T00:00:06.600Z', source: '+6531591234', destination: '+6591234567', sourceFormat: 'MSISDN', destinationFormat: 'MSISDN', sourceCountryCode: 'SG', destinationCountryCode: 'SG', callStatus: 'COMPLETED', callDuration: 3, callQuality: {mos: 4.4, packetLossRate: 0, jitter: 3}}},
      },
    }
    const text = formatTimeline(t, makeColors(false))
    expect(text).not.to.include('\u001B')
    expect(text.split('\n')).to.deep.equal([
      '   +4.0s  A answered (SIP 200)',
      '   +4.0s  prompt: "Press 1 now" (en-GB-Emma, 1.2 s)',
      '   +6.5s  nothing valid captured (overall timeout, try 1 of 1)',
      '   +6.6s  error -2003: Callflow invalid: VCA webhook answered HTTP 500',
      'Session s-1: ERROR, last action SAY_AND_CAPTURE, 3 s connected, 1 leg, MOS 4.4 (excellent), error -2003: Callflow invalid',
    ])
  })
})
