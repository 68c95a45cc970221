import {expect} from 'chai'

import {validateSources} from '../../../src/lib/callflow/validate-files.js'
import {recordingOutput} from '../../../src/lib/output.js'
import {makeColors} from '../../../src/lib/render/colors.js'

const flow = (text: string) => JSON.stringify({callflow: [
  {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
  {action: 'say', params: {text, voiceProfile: 'en-US-ZiraRUS'}},
]}, null, 2)

describe('the callflow validate service', () => {
  it('says each problem with its file, "not checked" once for all files, unused --var, and the totals', () => {
    const output = recordingOutput()
    const r = validateSources([{name: 'a.json', text: flow('Hi {{name}}')}, {name: 'b.json', text: '{"callflow": [{"action": "say"}]}'}], {
      vca: false, vars: {name: 'Al', extra: 'x'}, facts: {}, colors: makeColors(false), output,
    })
    expect(r.valid).to.equal(false)
    expect(r.files.map((f) => [f.file, f.valid])).to.deep.equal([['a.json', true], ['b.json', false]])
    expect(r.problems.filter((p) => p.unchecked).length).to.be.at.most(new Set(r.problems.filter((p) => p.unchecked).map((p) => p.code)).size)
    expect(output.said.out.some((l) => l.startsWith('b.json:'))).to.equal(true)
    expect(output.said.warn).to.deep.equal(['--var extra: no placeholder uses it.'])
    expect(output.said.out.at(-1)).to.include('2 files')
  })
})
