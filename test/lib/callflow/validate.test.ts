import {expect} from 'chai'

import {parseCallflowText} from '../../../src/lib/callflow/load.js'
import {hasErrors, platformRejection, validateCallflow, type Problem, type ValidateOptions} from '../../../src/lib/callflow/validate.js'

const SOURCE = '+6531591234'
const DEST = '+6591234567'
const VOICES = new Set(['en-US-ZiraRUS', 'en-US-BenjaminRUS', 'en-GB-Emma', 'da-DK-Naja'])
const NOW = new Date('2030-06-01T12:00:00.000Z')
/** Everything checkable is checked: a clean callflow yields no problem at all. */
const FULL: ValidateOptions = {context: 'request', now: NOW, knownProfiles: VOICES, vcaWebhookRegistered: true}

const makeCall = (params: Record<string, unknown> = {}) => ({action: 'makeCall', params: {source: SOURCE, destination: DEST, ...params}})
const say = (params: Record<string, unknown> = {}) => ({action: 'say', params: {text: 'Your appointment is tomorrow at nine.', voiceProfile: 'en-US-ZiraRUS', ...params}})
const capture = (params: Record<string, unknown> = {}) => ({
  action: 'sayAndCapture',
  params: {promptMessage: 'Press 1 to confirm, 2 to cancel.', voiceProfile: 'en-GB-Emma', minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 2, ...params},
})
const hangup = {action: 'hangup'}
const request = (...callflow: unknown[]) => ({callflow})

function errors(doc: unknown, opts: ValidateOptions = FULL): Array<[number | undefined, string]> {
  return validateCallflow(doc, opts).filter((p) => p.severity === 'error').map((p) => [p.code, p.path])
}
function warnings(doc: unknown, opts: ValidateOptions = FULL): Problem[] {
  return validateCallflow(doc, opts).filter((p) => p.severity === 'warning')
}
function only(doc: unknown, opts: ValidateOptions = FULL): Problem {
  const ps = validateCallflow(doc, opts).filter((p) => p.severity === 'error')
  expect(ps, JSON.stringify(ps)).to.have.length(1)
  return ps[0]
}

describe('callflow validator', () => {
  it('passes a typical callflow with no problem at all', () => {
    expect(validateCallflow(request(makeCall(), say({repetition: 2, speed: 1.5}), {action: 'playFile', params: {fileUrl: 'https://example.com/a.mp3'}}, hangup), FULL)).to.deep.equal([])
  })

  it('reports every problem, not only the first, in document order', () => {
    const ps = errors(request(say({text: undefined}), makeCall({destination: '+659123'}), {action: 'dial'}))
    expect(ps).to.deep.equal([
      [-1013, '$.callflow[0].action'],
      [-1009, '$.callflow[0].params.text'],
      [-1017, '$.callflow[1].params.destination'],
      [-1007, '$.callflow[2].action'],
    ])
  })

  describe('document shape (-1009)', () => {
    it('wants an object with a non-empty callflow array', () => {
      expect(errors([makeCall()])).to.deep.equal([[-1009, '$']])
      expect(errors({})).to.deep.equal([[-1009, '$.callflow']])
      expect(only({callflow: {}}).message).to.equal('object found, array expected')
      expect(only({callflow: []}).message).to.contain('minimum of 1')
      expect(errors(request(makeCall(), 'say'))).to.deep.equal([[-1009, '$.callflow[1]']])
    })

    it('wants params on every action but hangup', () => {
      expect(errors(request(makeCall(), {action: 'say'}))).to.deep.equal([[-1009, '$.callflow[1].params']])
      expect(errors(request(makeCall(), say(), {action: 'hangup'}))).to.deep.equal([])
    })
  })

  describe('actions (-1007)', () => {
    it('accepts the five actions and refuses others, listing the accepted ones', () => {
      expect(errors(request(makeCall(), say(), {action: 'playFile', params: {fileUrl: 'http://x.example/a.wav'}}, capture()))).to.deep.equal([])
      const p = only(request(makeCall(), {action: 'Say', params: {text: 'hi', voiceProfile: 'en-GB-Emma'}}))
      expect([p.code, p.path]).to.deep.equal([-1007, '$.callflow[1].action'])
      expect(p.message).to.equal('should be one of: say,sayAndCapture,makeCall,hangup,playFile')
      expect(p.hint).to.contain('Did you mean say?')
    })
  })

  describe('required params and types (-1009)', () => {
    const cases: Array<[string, unknown, string]> = [
      ['say without text', say({text: undefined}), '$.callflow[1].params.text'],
      ['say without voiceProfile', say({voiceProfile: undefined}), '$.callflow[1].params.voiceProfile'],
      ['makeCall without destination', makeCall({destination: undefined}), '$.callflow[1].params.destination'],
      ['playFile without fileUrl', {action: 'playFile', params: {}}, '$.callflow[1].params.fileUrl'],
      ['sayAndCapture without promptMessage', capture({promptMessage: undefined}), '$.callflow[1].params.promptMessage'],
    ]
    for (const [what, action, path] of cases) {
      it(`refuses ${what}`, () => {
        const p = only(request(makeCall(), action))
        expect([p.code, p.path, p.message]).to.deep.equal([-1009, path, 'is missing but it is required'])
      })
    }

    it('names the type found and expected, and hints at quoting YAML numbers', () => {
      const p = only(request(makeCall({source: 6_531_591_234})))
      expect([p.code, p.path, p.message]).to.deep.equal([-1009, '$.callflow[0].params.source', 'integer found, string expected'])
      expect(p.hint).to.contain('quote')
      expect(errors(request(makeCall(), say({repetition: '2'})))).to.deep.equal([[-1009, '$.callflow[1].params.repetition']])
    })
  })

  describe('say limits', () => {
    it('text: 3000 characters pass, 3001 fail', () => {
      expect(errors(request(makeCall(), say({text: 'a'.repeat(3000)})))).to.deep.equal([])
      const p = only(request(makeCall(), say({text: 'a'.repeat(3001)})))
      expect([p.code, p.path]).to.deep.equal([-1009, '$.callflow[1].params.text'])
      expect(p.message).to.contain('3000')
    })

    it('repetition: 1 to 3', () => {
      expect(errors(request(makeCall(), say({repetition: 1}), say({repetition: 3})))).to.deep.equal([])
      expect(errors(request(makeCall(), say({repetition: 0}), say({repetition: 4}), say({repetition: 1.5})))).to.deep.equal([
        [-1009, '$.callflow[1].params.repetition'], [-1009, '$.callflow[2].params.repetition'], [-1009, '$.callflow[3].params.repetition'],
      ])
    })

    it('speed: 0.5 to 2', () => {
      expect(errors(request(makeCall(), say({speed: 0.5}), say({speed: 2})))).to.deep.equal([])
      expect(errors(request(makeCall(), say({speed: 0.4}), say({speed: 2.1})))).to.deep.equal([
        [-1009, '$.callflow[1].params.speed'], [-1009, '$.callflow[2].params.speed'],
      ])
    })
  })

  describe('sayAndCapture dependencies', () => {
    it('-1003: minDigits needs a maxDigits, not below it', () => {
      expect(errors(request(makeCall(), capture({minDigits: 2, maxDigits: 4})))).to.deep.equal([])
      expect(errors(request(makeCall(), capture({minDigits: 2, maxDigits: undefined})))).to.deep.equal([[-1003, '$.callflow[1].params.maxDigits']])
      expect(errors(request(makeCall(), capture({minDigits: 3, maxDigits: 2})))).to.deep.equal([[-1003, '$.callflow[1].params.maxDigits']])
    })

    it('-1005: digitTimeout needs a valid overallTimeout', () => {
      expect(errors(request(makeCall(), capture({digitTimeout: 3000, overallTimeout: 0})))).to.deep.equal([[-1005, '$.callflow[1].params.overallTimeout']])
    })

    it('-1005 is only a warning when overallTimeout is left out (8x8\'s own example does it), naming the defaults assumed', () => {
      const doc = request(makeCall(), capture({digitTimeout: 3000, overallTimeout: undefined}))
      expect(errors(doc)).to.deep.equal([])
      const w = warnings(doc).find((p) => p.code === -1005)
      expect(w?.path).to.equal('$.callflow[1].params.overallTimeout')
      expect(w?.message).to.contain('5000 ms').and.contain('30000 ms')
    })

    it('-1006: overallTimeout below digitTimeout; equal is fine (as in 8x8\'s examples)', () => {
      expect(errors(request(makeCall(), capture({digitTimeout: 10_000, overallTimeout: 10_000})))).to.deep.equal([])
      expect(errors(request(makeCall(), capture({digitTimeout: 10_000, overallTimeout: 9999})))).to.deep.equal([[-1006, '$.callflow[1].params.overallTimeout']])
      // Left out, it is below digitTimeout under both readings of the default.
      expect(errors(request(makeCall(), capture({digitTimeout: 40_000, overallTimeout: undefined})))).to.deep.equal([[-1006, '$.callflow[1].params.overallTimeout']])
    })

    it('-1008: completeOnHash false needs maxDigits', () => {
      expect(errors(request(makeCall(), capture({completeOnHash: true, maxDigits: undefined, minDigits: undefined})))).to.deep.equal([])
      expect(errors(request(makeCall(), capture({completeOnHash: false, maxDigits: undefined, minDigits: undefined})))).to.deep.equal([[-1008, '$.callflow[1].params.maxDigits']])
      expect(errors(request(makeCall(), capture({completeOnHash: false, maxDigits: null, minDigits: undefined})))).to.deep.equal([[-1008, '$.callflow[1].params.maxDigits']])
    })

    it('maxDigits at most 25', () => {
      expect(errors(request(makeCall(), capture({maxDigits: 25})))).to.deep.equal([])
      expect(errors(request(makeCall(), capture({minDigits: undefined, completeOnHash: true, maxDigits: 26})))).to.deep.equal([[-1009, '$.callflow[1].params.maxDigits']])
    })

    it('accepts what 8x8\'s published examples send: null messages, repetition, equal timeouts', () => {
      const published = capture({successMessage: null, failureMessage: null, repetition: 1, digitTimeout: 10_000, overallTimeout: 10_000})
      expect(validateCallflow(request(makeCall(), published), FULL)).to.deep.equal([])
    })

    it('says which defaults it assumed where the docs disagree', () => {
      const w = warnings(request(makeCall(), capture({maxDigits: undefined, minDigits: undefined, completeOnHash: undefined, overallTimeout: undefined, digitTimeout: undefined, noOfTries: undefined})))
      expect(w.map((p) => p.path)).to.deep.equal(['$.callflow[1].params'])
      expect(w[0].message).to.contain('maxDigits 1 or 25').and.contain('overallTimeout 5000 or 30000 ms').and.contain('noOfTries 1 or 3')
    })
  })

  describe('hangup (-1012)', () => {
    it('must be last', () => {
      expect(errors(request(makeCall(), say(), hangup))).to.deep.equal([])
      expect(errors(request(makeCall(), hangup, say()))).to.deep.equal([[-1012, '$.callflow[1]']])
    })

    it('must not directly follow sayAndCapture', () => {
      expect(errors(request(makeCall(), capture(), say(), hangup))).to.deep.equal([])
      expect(errors(request(makeCall(), capture(), hangup))).to.deep.equal([[-1012, '$.callflow[2]']])
    })

    it('warns that actions after a hangup never run', () => {
      const w = warnings(request(makeCall(), hangup, say(), say()))
      expect(w.map((p) => [p.path, p.message])).to.deep.equal([
        ['$.callflow[2]', 'never runs: it comes after the hangup at $.callflow[1]'],
        ['$.callflow[3]', 'never runs: it comes after the hangup at $.callflow[1]'],
      ])
    })
  })

  describe('makeCall', () => {
    it('-1013: first action of a request, but not of a VCA answer', () => {
      expect(errors(request(say(), hangup))).to.deep.equal([[-1013, '$.callflow[0].action']])
      expect(errors(request(say(), hangup), {...FULL, context: 'vca'})).to.deep.equal([])
    })

    it('-1010: at most two', () => {
      expect(errors(request(makeCall(), say(), makeCall({destination: '+6598765432'})))).to.deep.equal([])
      expect(errors(request(makeCall(), makeCall(), makeCall()))).to.deep.equal([[-1010, '$.callflow[2]']])
    })

    it('-1017: numbers in E.164, naming the country', () => {
      expect(errors(request(makeCall({source: '6531591234', destination: '14155552671'})))).to.deep.equal([])
      let p = only(request(makeCall({destination: '+659123'})))
      expect([p.code, p.path]).to.deep.equal([-1017, '$.callflow[0].params.destination'])
      expect(p.message).to.equal('"+659123" is too short for Singapore numbers (+65)')
      p = only(request(makeCall({source: '+65 3159 1234'})))
      expect([p.code, p.path]).to.deep.equal([-1017, '$.callflow[0].params.source'])
      expect(p.hint).to.contain('+6531591234')
      expect(only(request(makeCall({destination: '091234567'}))).code).to.equal(-1017)
      expect(only(request(makeCall({destination: '+99912345678'}))).message).to.contain('no country')
    })

    it('-1017 speaks of the source when the source is wrong', () => {
      const r = platformRejection(validateCallflow(request(makeCall({source: '0312'})), FULL))!
      expect(r.statusCode).to.equal(-1017)
      expect(r.statusMessage).to.match(/^Invalid MSISDN format in source: \$\.callflow\[0\]\.params\.source/)
    })

    it('valid E.164 that is implausible for its country is a warning, never -1017 (8x8\'s own VCA example uses +65123456789)', () => {
      for (const context of ['request', 'vca'] as const) {
        const doc = context === 'vca' ? {callflow: [makeCall({source: '+65123456789'}), hangup]} : request(makeCall({source: '+65123456789'}), hangup)
        expect(errors(doc, {...FULL, context})).to.deep.equal([])
        const w = warnings(doc, {...FULL, context}).find((p) => p.path === '$.callflow[0].params.source')!
        expect(w.message).to.equal('"+65123456789" has a length that does not fit Singapore numbers (+65); check the source number')
      }
    })

    it('-1014: warns when the source is not one of the account\'s numbers (a whitelisted caller id may still pass)', () => {
      const numbers = new Set(['6531591234'])
      expect(validateCallflow(request(makeCall()), {...FULL, accountNumbers: numbers})).to.deep.equal([])
      const w = warnings(request(makeCall({source: '+6531590000'})), {...FULL, accountNumbers: numbers})
      expect(w.map((p) => [p.code, p.path])).to.deep.equal([[-1014, '$.callflow[0].params.source']])
      expect(errors(request(makeCall({source: '+6531590000'})), {...FULL, accountNumbers: numbers})).to.deep.equal([])
    })

    it('-1011: one destination per makeCall', () => {
      const p = only(request(makeCall({destination: '+6591234567,+6598765432'})))
      expect([p.code, p.path]).to.deep.equal([-1011, '$.callflow[0].params.destination'])
      expect(errors(request(makeCall({destination: [DEST, DEST]})))).to.deep.equal([[-1011, '$.callflow[0].params.destination']])
    })
  })

  describe('validUntil', () => {
    it('-1015 when in the past, fine in the future', () => {
      expect(errors({validUntil: '2030-06-01T12:10:00.000Z', ...request(makeCall())})).to.deep.equal([])
      const p = only({validUntil: '2030-06-01T11:59:59.000Z', ...request(makeCall())})
      expect([p.code, p.path]).to.deep.equal([-1015, '$.validUntil'])
    })

    it('-1009 when not a date-time', () => {
      expect(errors({validUntil: 'tomorrow', ...request(makeCall())})).to.deep.equal([[-1009, '$.validUntil']])
    })
  })

  describe('characters the platform refuses (-1016)', () => {
    it('refuses control and invisible characters in spoken text, not accents or other scripts', () => {
      expect(errors(request(makeCall(), say({text: 'Café, 日本語, ok.\nNext line.'})))).to.deep.equal([])
      const p = only(request(makeCall(), say({text: 'Press\u0007 one'})))
      expect([p.code, p.path]).to.deep.equal([-1016, '$.callflow[1].params.text'])
      expect(p.message).to.contain('U+0007').and.contain('character 6')
      expect(errors(request(makeCall(), capture({failureMessage: 'bye\u200B'})))).to.deep.equal([[-1016, '$.callflow[1].params.failureMessage']])
    })
  })

  describe('playFile', () => {
    it('wants an http(s) URL, and warns when it is not mp3 or wav', () => {
      expect(validateCallflow(request(makeCall(), {action: 'playFile', params: {fileUrl: 'https://cdn.example.com/hello.WAV?v=2'}}), FULL)).to.deep.equal([])
      expect(errors(request(makeCall(), {action: 'playFile', params: {fileUrl: 'ftp://cdn.example.com/hello.mp3'}}))).to.deep.equal([[-1009, '$.callflow[1].params.fileUrl']])
      const doc = request(makeCall(), {action: 'playFile', params: {fileUrl: 'https://cdn.example.com/hello.ogg'}})
      expect(errors(doc)).to.deep.equal([])
      expect(warnings(doc).map((p) => p.path)).to.deep.equal(['$.callflow[1].params.fileUrl'])
    })
  })

  describe('voice profiles (-1002)', () => {
    it('checks against the known list, suggesting the closest', () => {
      const p = only(request(makeCall(), say({voiceProfile: 'en-us-zirarus'})))
      expect([p.code, p.path]).to.deep.equal([-1002, '$.callflow[1].params.voiceProfile'])
      expect(p.hint).to.contain('en-US-ZiraRUS')
    })

    it('without a list, warns once that voices were not checked', () => {
      const opts = {...FULL, knownProfiles: undefined}
      const doc = request(makeCall(), say({voiceProfile: 'no-such-voice'}), say())
      expect(errors(doc, opts)).to.deep.equal([])
      expect(warnings(doc, opts).map((p) => [p.code, p.path])).to.deep.equal([[-1002, '$.callflow[1].params.voiceProfile']])
      expect(warnings(doc, {...opts, warnUnchecked: false})).to.deep.equal([])
    })
  })

  describe('VCA webhook (-1004)', () => {
    it('is an error when the account has none, a warning when not checked, nothing in a VCA answer', () => {
      const doc = request(makeCall(), capture())
      expect(errors(doc, {...FULL, vcaWebhookRegistered: false})).to.deep.equal([[-1004, '$.callflow[1]']])
      expect(errors(doc, {...FULL, vcaWebhookRegistered: undefined})).to.deep.equal([])
      expect(warnings(doc, {...FULL, vcaWebhookRegistered: undefined}).map((p) => p.code)).to.deep.equal([-1004])
      expect(validateCallflow({callflow: [capture()]}, {...FULL, context: 'vca', vcaWebhookRegistered: undefined})).to.deep.equal([])
    })
  })

  describe('IVR mistakes the platform accepts', () => {
    it('warns about an empty prompt', () => {
      const w = warnings(request(makeCall(), say({text: '  '})))
      expect(w.map((p) => [p.path, p.message])).to.deep.equal([['$.callflow[1].params.text', 'is empty: the caller hears nothing']])
    })

    it('warns about unknown fields, suggesting the one meant', () => {
      const w = warnings({clientActionId: 'x', ...request(makeCall(), say({voiceprofile: 'en-GB-Emma'}))})
      expect(w.map((p) => p.path)).to.deep.equal(['$.clientActionId', '$.callflow[1].params.voiceprofile'])
      expect(w[1].hint).to.equal('Did you mean voiceProfile?')
    })

    it('warns about timeouts that look like seconds', () => {
      const w = warnings(request(makeCall(), capture({digitTimeout: 5, overallTimeout: 10})))
      expect(w.map((p) => p.path)).to.deep.equal(['$.callflow[1].params.digitTimeout', '$.callflow[1].params.overallTimeout'])
    })
  })

  describe('the platform\'s answer', () => {
    it('words -1009 and -1007 as the platform does', () => {
      expect(platformRejection(validateCallflow(request(makeCall(), say({text: undefined})), FULL))).to.deep.equal({
        statusCode: -1009, statusMessage: '$.callflow[1].params.text: is missing but it is required',
      })
      expect(platformRejection(validateCallflow(request(makeCall(), {action: 'dial'}), FULL))).to.deep.equal({
        statusCode: -1007, statusMessage: '$.callflow[1].action should be one of: say,sayAndCapture,makeCall,hangup,playFile',
      })
      expect(platformRejection(validateCallflow(request(say()), FULL))?.statusMessage).to.equal('Invalid Callflow : First action should be a MakeCall action')
    })

    it('words a syntax error as the platform\'s -1001', () => {
      expect(platformRejection(parseCallflowText('{"callflow": [}', 'body.json').problems)).to.deep.equal({
        statusCode: -1001, statusMessage: 'Invalid JSON request body: unexpected "}"',
      })
    })

    it('puts a schema error before the platform\'s own rules, and is undefined when there is no error', () => {
      const ps = validateCallflow(request(makeCall({destination: '123'}), say({text: undefined})), FULL)
      expect(platformRejection(ps)?.statusCode).to.equal(-1009)
      expect(platformRejection(validateCallflow(request(makeCall(), {action: 'playFile', params: {fileUrl: 'https://x.example/a.ogg'}}), FULL))).to.equal(undefined)
      expect(hasErrors(ps)).to.equal(true)
    })
  })
})
