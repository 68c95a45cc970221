import {expect} from 'chai'

import {applyOverrides, buildQuickCallflow, captureParams, fillPlaceholders, parseValidUntil, parseVars} from '../../../src/lib/callflow/request.js'
import {DEFAULT_VOICE_PROFILE} from '../../../src/lib/callflow/types.js'
import {validateCallflow} from '../../../src/lib/callflow/validate.js'
import {IvrError} from '../../../src/lib/errors.js'

describe('building requests', () => {
  describe('--var and {{placeholders}}', () => {
    it('parses name=value, keeping = in values, and refuses anything else (exit 2)', () => {
      expect(parseVars(['name=Alice', 'url=https://x.example/a.mp3?x=1'])).to.deep.equal({name: 'Alice', url: 'https://x.example/a.mp3?x=1'})
      // 8x8's guides name placeholders with spaces: {{Virtual Number}}.
      expect(parseVars(['Virtual Number=+6531591234', ' Number to Call =+6591234567'])).to.deep.equal({'Virtual Number': '+6531591234', 'Number to Call': '+6591234567'})
      for (const bad of ['name', '=x', ' =x', 'a{b=c']) {
        expect(() => parseVars([bad])).to.throw(IvrError).with.property('exitCode', 2)
      }
    })

    it('fills every string, reports what is missing and what was not used', () => {
      const doc = {callflow: [
        {action: 'makeCall', params: {source: '+6531591234', destination: '{{to}}'}},
        {action: 'say', params: {text: 'Hello {{ name }}, "{{when}}" it is.', voiceProfile: 'en-GB-Emma', repetition: 2}},
      ]}
      const r = fillPlaceholders(doc, {to: '+6591234567', name: 'O\'Brien "Jr"', extra: 'x'})
      expect(r.value).to.deep.equal({callflow: [
        {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
        {action: 'say', params: {text: 'Hello O\'Brien "Jr", "{{when}}" it is.', voiceProfile: 'en-GB-Emma', repetition: 2}},
      ]})
      expect(r.missing).to.deep.equal([{name: 'when', path: '$.callflow[1].params.text'}])
      expect(r.unused).to.deep.equal(['extra'])
      expect(doc.callflow[0].params.destination).to.equal('{{to}}')
    })

    it('recognises the placeholders of 8x8\'s guides, spaces and all', () => {
      const doc = {callflow: [{action: 'makeCall', params: {source: '{{Virtual Number}}', destination: '{{ Number to Call }}'}}]}
      expect(fillPlaceholders(doc, {}).missing).to.deep.equal([{name: 'Virtual Number', path: '$.callflow[0].params.source'}, {name: 'Number to Call', path: '$.callflow[0].params.destination'}])
      expect(fillPlaceholders(doc, {'Virtual Number': '+6531591234', 'Number to Call': '+6591234567'}).value).to.deep.equal({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}]})
    })
  })

  describe('--valid-until', () => {
    const now = new Date('2030-01-01T00:00:00.000Z')
    it('takes a duration from now, in the platform\'s form', () => {
      expect(parseValidUntil('10m', now)).to.equal('2030-01-01T00:10:00.000Z')
      expect(parseValidUntil('1h30m', now)).to.equal('2030-01-01T01:30:00.000Z')
      expect(parseValidUntil('90s', now)).to.equal('2030-01-01T00:01:30.000Z')
    })

    it('takes a date-time with a zone', () => {
      expect(parseValidUntil('2030-02-03T04:05:06+02:00', now)).to.equal('2030-02-03T02:05:06.000Z')
    })

    it('refuses anything else (exit 2)', () => {
      for (const bad of ['soon', '10', '0m', '2030-13-45T99:00']) expect(() => parseValidUntil(bad, now), bad).to.throw(IvrError).with.property('exitCode', 2)
    })

    it('overrides the file\'s validUntil and clientRequestId', () => {
      expect(applyOverrides({validUntil: 'old', callflow: []}, {validUntil: 'new', clientRequestId: 'r1'})).to.deep.equal({validUntil: 'new', clientRequestId: 'r1', callflow: []})
      expect(applyOverrides({callflow: []}, {})).to.deep.equal({callflow: []})
    })
  })

  describe('quick flags', () => {
    it('builds makeCall then the steps in the order given, each spoken step with the voice given before it', () => {
      const flow = buildQuickCallflow({from: '+6531591234', to: '+6591234567', steps: [
        {kind: 'say', text: 'Hello'},
        {kind: 'voice', profile: 'en-GB-Emma'},
        {kind: 'play', url: 'https://x.example/a.mp3'},
        {kind: 'say', text: 'Still Emma'},
        {kind: 'voice', profile: 'da-DK-Naja'},
        {kind: 'capture', prompt: 'Tryk 1'},
        {kind: 'say', text: 'Farvel'},
        {kind: 'hangup'},
      ], capture: {maxDigits: 4, digitTimeout: 20_000}})
      expect(flow).to.deep.equal([
        {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
        // Before any --voice: the first voice given.
        {action: 'say', params: {text: 'Hello', voiceProfile: 'en-GB-Emma'}},
        {action: 'playFile', params: {fileUrl: 'https://x.example/a.mp3'}},
        {action: 'say', params: {text: 'Still Emma', voiceProfile: 'en-GB-Emma'}},
        {action: 'sayAndCapture', params: {promptMessage: 'Tryk 1', voiceProfile: 'da-DK-Naja', minDigits: 1, maxDigits: 4, digitTimeout: 20_000, overallTimeout: 20_000, completeOnHash: false, noOfTries: 1}},
        {action: 'say', params: {text: 'Farvel', voiceProfile: 'da-DK-Naja'}},
        {action: 'hangup'},
      ])
      expect(validateCallflow({callflow: flow}, {context: 'request', warnUnchecked: false})).to.deep.equal([])
    })

    it('uses the default voice when none is given', () => {
      const flow = buildQuickCallflow({from: '+6531591234', to: '+6591234567', steps: [{kind: 'say', text: 'Hi'}]})
      expect(flow[1]).to.deep.equal({action: 'say', params: {text: 'Hi', voiceProfile: DEFAULT_VOICE_PROFILE}})
    })

    it('lets capture defaults give way to the values given, so they never contradict them', () => {
      const p = captureParams('Enter your PIN', 'en-GB-Emma', {minDigits: 4, completeOnHash: true})
      expect(p).to.include({minDigits: 4, maxDigits: 4, completeOnHash: true, digitTimeout: 10_000, overallTimeout: 10_000})
    })
  })
})
