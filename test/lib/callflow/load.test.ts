import {expect} from 'chai'

import {locateProblems, parseCallflowText, stringifyCallflow} from '../../../src/lib/callflow/load.js'
import {validateCallflow} from '../../../src/lib/callflow/validate.js'

describe('callflow files', () => {
  describe('syntax errors (-1001) with line and column', () => {
    const cases: Array<[string, string, string, number, number]> = [
      ['trailing comma', 'a.json', '{"callflow": [\n  {"action": "hangup",}\n]}', 2, 23],
      ['missing comma', 'a.json', '{"callflow": [\n  {"action": "hangup" "x": 1}]}', 2, 23],
      ['bad literal', 'a.json', '{\n  "callflow": tru\n}', 2, 15],
      ['unclosed string', 'a.json', '{"callflow": "abc', 1, 14],
      ['bad YAML indentation', 'a.yaml', 'callflow:\n  - action: say\n    params: [1, 2\n  - x: y\n', 4, 3],
      ['duplicate YAML key', 'a.yml', 'callflow: []\ncallflow: []\n', 2, 1],
    ]
    for (const [what, file, text, line, column] of cases) {
      it(`reports ${what} at ${line}:${column}`, () => {
        const doc = parseCallflowText(text, file)
        expect(doc.value).to.equal(undefined)
        expect(doc.problems.map((p) => [p.code, p.severity, p.line, p.column])).to.deep.equal([[-1001, 'error', line, column]])
      })
    }

    it('says what is wrong in JSON', () => {
      expect(parseCallflowText('{"a": 1,}', 'x.json').problems[0].message).to.equal('not valid JSON: a trailing comma before }')
    })

    it('catches an unquoted {{placeholder}} in YAML', () => {
      const doc = parseCallflowText('callflow:\n  - action: say\n    params:\n      text: {{greeting}}\n', 'a.yaml')
      expect(doc.problems.map((p) => [p.code, p.line, p.column])).to.deep.equal([[-1001, 4, 13]])
      expect(doc.problems[0].hint).to.contain('"{{name}}"')
    })

    it('reports an empty file', () => {
      expect(parseCallflowText('  \n', '-').problems.map((p) => [p.code, p.message])).to.deep.equal([[-1001, 'the file is empty']])
    })
  })

  describe('format', () => {
    it('reads JSON or YAML by the name, and from stdin by the content', () => {
      expect(parseCallflowText('{"callflow": []}', '-').format).to.equal('json')
      expect(parseCallflowText('callflow: []', '-').format).to.equal('yaml')
      expect(parseCallflowText('callflow: []', 'flow.YML').value).to.deep.equal({callflow: []})
      expect(parseCallflowText('\uFEFF{"callflow": []}', 'bom.json').value).to.deep.equal({callflow: []})
    })

    it('keeps YAML date-times and words as strings (YAML 1.2 core schema)', () => {
      const doc = parseCallflowText('validUntil: 2030-01-01T00:00:00.000Z\ncallflow:\n  - action: say\n    params: {text: no, voiceProfile: da-DK-Naja}\n', 'a.yaml')
      expect(doc.value).to.deep.equal({validUntil: '2030-01-01T00:00:00.000Z', callflow: [{action: 'say', params: {text: 'no', voiceProfile: 'da-DK-Naja'}}]})
    })

    it('writes JSON and YAML that read back the same, phone numbers staying strings', () => {
      const flow = {callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '6591234567'}}, {action: 'hangup'}]}
      for (const f of ['json', 'yaml'] as const) {
        expect(parseCallflowText(stringifyCallflow(flow, f), `x.${f}`).value).to.deep.equal(flow)
      }
    })
  })

  describe('locating problems', () => {
    const json = [
      '{',
      '  "callflow": [',
      '    {"action": "makeCall", "params": {"source": "+6531591234", "destination": "+659123"}},',
      '    {"action": "say", "params": {"voiceProfile": "en-GB-Emma"}}',
      '  ]',
      '}',
    ].join('\n')
    const yaml = [
      'callflow:',
      '  - action: makeCall',
      '    params:',
      '      source: +6531591234',
      '      destination: "+6591234567"',
      '  - action: say',
      '    params:',
      '      voiceProfile: en-GB-Emma',
    ].join('\n')

    it('points at the key of a bad value, or at the nearest parent of a missing one (JSON)', () => {
      const doc = parseCallflowText(json, 'a.json')
      const ps = locateProblems(validateCallflow(doc.value, {context: 'request', warnUnchecked: false}), doc)
      expect(ps.map((p) => [p.path, p.line, p.column])).to.deep.equal([
        ['$.callflow[0].params.destination', 3, 64],
        ['$.callflow[1].params.text', 4, 23],
      ])
    })

    it('does the same in YAML, where an unquoted +number is a number', () => {
      const doc = parseCallflowText(yaml, 'a.yaml')
      const ps = locateProblems(validateCallflow(doc.value, {context: 'request', warnUnchecked: false}), doc)
      expect(ps.map((p) => [p.code, p.path, p.line, p.column])).to.deep.equal([
        [-1009, '$.callflow[0].params.source', 4, 7],
        [-1009, '$.callflow[1].params.text', 7, 5],
      ])
    })
  })
})
