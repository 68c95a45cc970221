import {expect} from 'chai'

import {answerLine, answerRecord} from '../../../src/lib/menu/report.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import type {AnswerReport} from '../../../src/lib/menu/server.js'

const report = (over: Partial<AnswerReport> = {}): AnswerReport => ({
  at: new Date(2026, 10, 23, 9, 5, 7), sessionId: '3f2a9c1e-aaaa-bbbb', from: 'staff', taken: '1', ms: 0.42,
  answer: {response: {callflow: []}, taken: '1', from: 'staff', resolution: {actions: [], entered: [], outcome: {kind: 'transfer', to: '+65\u001B[31m6222'}}},
  ...over,
})

describe('serve lines', () => {
  it('prints time, session, node, digits and what follows, with remote text cleaned', () => {
    expect(answerLine(report(), makeColors(false))).to.equal('09:05:07  3f2a9c1e  staff        1         transfer +656222  0.4 ms')
  })

  it('keeps colours on a terminal, without letting the payload add its own', () => {
    const line = answerLine(report(), makeColors(true))
    expect(line).to.contain('\u001B[32mtransfer +656222\u001B[39m')
    expect(line).not.to.contain('\u001B[31m')
  })

  it('gives the same facts as one JSON record', () => {
    expect(answerRecord(report())).to.deep.include({sessionId: '3f2a9c1e-aaaa-bbbb', from: 'staff', taken: '1', outcome: 'transfer', transferTo: '+65\u001B[31m6222', ms: 0.42})
  })
})
