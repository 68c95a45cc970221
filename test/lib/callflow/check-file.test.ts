import {expect} from 'chai'

import {checkCallflowText, loadRequestText} from '../../../src/lib/callflow/check-file.js'
import type {MakeCallAction} from '../../../src/lib/callflow/types.js'

const TEMPLATE = 'callflow:\n  - action: makeCall\n    params: {source: "+6531591234", destination: "{{to}}"}\n  - action: say\n    params: {text: "Hi {{name}}", voiceProfile: en-GB-Emma}\n'

describe('checking and loading callflow texts', () => {
  it('checks a template: a placeholder without a value is a warning, and the value it stands for is not judged', () => {
    const r = checkCallflowText(TEMPLATE, 't.yaml', {context: 'request', warnUnchecked: false})
    expect(r.problems.map((p) => [p.severity, p.path, p.message, p.line])).to.deep.equal([
      ['warning', '$.callflow[0].params.destination', 'placeholder {{to}} has no value', 3],
      ['warning', '$.callflow[1].params.text', 'placeholder {{name}} has no value', 5],
    ])
    const strict = checkCallflowText(TEMPLATE, 't.yaml', {context: 'request', warnUnchecked: false, strictVars: true})
    expect(strict.problems.map((p) => p.severity)).to.deep.equal(['error', 'error'])
  })

  it('names 8x8\'s docs placeholders ({{Virtual Number}}) as unfilled, with the --var to give, instead of -1017', () => {
    const text = '{"callflow": [{"action": "makeCall", "params": {"source": "{{Virtual Number}}", "destination": "{{Number to Call}}"}}, {"action": "hangup"}]}'
    const r = checkCallflowText(text, 'guide.json', {context: 'request', warnUnchecked: false})
    expect(r.problems.map((p) => [p.severity, p.code, p.message, p.hint])).to.deep.equal([
      ['warning', undefined, 'placeholder {{Virtual Number}} has no value', 'Give it one: --var "Virtual Number=VALUE".'],
      ['warning', undefined, 'placeholder {{Number to Call}} has no value', 'Give it one: --var "Number to Call=VALUE".'],
    ])
    const filled = loadRequestText(text, 'guide.json', {vars: {'Virtual Number': '+6531591234'}})
    expect(filled.missingVars).to.deep.equal(['Number to Call'])
  })

  it('judges the filled value', () => {
    const r = checkCallflowText(TEMPLATE, 't.yaml', {context: 'request', warnUnchecked: false, vars: {to: '+65 9123', name: 'Al', x: '1'}})
    expect(r.problems.map((p) => [p.code, p.path])).to.deep.equal([[-1017, '$.callflow[0].params.destination']])
    expect(r.unusedVars).to.deep.equal(['x'])
  })

  it('loads a request to send: filled, with overrides first, missing names once each', () => {
    const r = loadRequestText(TEMPLATE, 't.yaml', {vars: {to: '+6591234567'}, overrides: {validUntil: '2030-01-01T00:00:00.000Z'}})
    expect(Object.keys(r.body as object)).to.deep.equal(['validUntil', 'callflow'])
    expect((r.body as {callflow: MakeCallAction[]}).callflow[0].params.destination).to.equal('+6591234567')
    expect(r.missingVars).to.deep.equal(['name'])
    const broken = loadRequestText('{"callflow": [', 'b.json')
    expect([broken.body, broken.syntax.map((p) => p.code)]).to.deep.equal([undefined, [-1001]])
  })
})
