import {expect} from 'chai'

import {buildCallflow, profileChoices, type Choice, type Prompter} from '../../../src/lib/callflow/builder.js'
import type {Problem} from '../../../src/lib/callflow/validate.js'

const profiles = [
  {speechProfileCode: 'en-US-ZiraRUS', localeCode: 'en-US', localeDescription: 'English (United States)', gender: 'Female'},
  {speechProfileCode: 'en-GB-Emma', localeCode: 'en-GB', localeDescription: 'English (United Kingdom)', gender: 'Female'},
  {speechProfileCode: 'da-DK-Naja', localeCode: 'da-DK', localeDescription: 'Danish (Denmark)', gender: 'Female'},
]

/** Answers from a script, in order; records what each question offered and what was noted. */
function scripted(answers: unknown[]) {
  const asked: Array<{kind: string; message: string; choices?: Array<Choice<unknown>>; default?: unknown; rejected?: string}> = []
  const notes: Problem[][] = []
  const next = () => {
    if (answers.length === 0) throw new Error('the builder asked more than the script answers')
    return answers.shift()
  }
  const p: Prompter = {
    async select(q) {
      asked.push({kind: 'select', message: q.message, choices: q.choices as Array<Choice<unknown>>})
      const v = next()
      const choice = q.choices.find((c) => c.value === v)
      if (!choice || choice.disabled) throw new Error(`"${String(v)}" is not selectable at ${q.message}`)
      // The answer is one of the offered choices' values (checked above), so of the asked type.
      return v as typeof choice.value
    },
    async input(q) {
      let v = next() as string
      // A rejected answer is asked again, as inquirer does.
      while (q.validate && q.validate(v) !== true) {
        asked.push({kind: 'input', message: q.message, rejected: String(q.validate(v))})
        v = next() as string
      }
      asked.push({kind: 'input', message: q.message, default: q.default})
      return v === '' && q.default !== undefined ? q.default : v
    },
    async number(q) {
      asked.push({kind: 'number', message: q.message, default: q.default})
      const v = next()
      return v === undefined ? q.default : (v as number)
    },
    async confirm(q) {
      asked.push({kind: 'confirm', message: q.message, default: q.default})
      const v = next()
      return v === undefined ? Boolean(q.default) : (v as boolean)
    },
    async search(q) {
      const term = next() as string
      const found = q.source(term)
      asked.push({kind: 'search', message: q.message, choices: found})
      return found[0].value
    },
    note(problems) {
      notes.push(problems)
    },
  }
  return {p, asked, notes}
}

describe('callflow builder', () => {
  it('builds a request action by action, re-asking for a bad number, with the capture defaults shown', async () => {
    const {p, asked, notes} = scripted([
      '+6531591234', '+65 9123', '+6591234567',
      'sayAndCapture', 'Press 1 for sales, 2 for support.', 'emma', undefined, undefined, undefined, undefined, undefined, 3,
      'say', 'Goodbye.', 'naja', undefined,
      'hangup',
    ])
    const doc = await buildCallflow(p, {context: 'request', profiles, vcaWebhookRegistered: true})
    expect(doc).to.deep.equal({callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}},
      {action: 'sayAndCapture', params: {promptMessage: 'Press 1 for sales, 2 for support.', voiceProfile: 'en-GB-Emma', minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 3}},
      {action: 'say', params: {text: 'Goodbye.', voiceProfile: 'da-DK-Naja'}},
      {action: 'hangup'},
    ]})
    expect(asked.find((a) => a.rejected)?.rejected).to.contain('too short for Singapore numbers (+65)')
    expect(asked.filter((a) => a.kind === 'number').map((a) => [a.message, a.default]).slice(0, 5)).to.deep.equal([
      ['Fewest digits', 1], ['Most digits', 1], ['Time allowed between digits (ms)', 10_000], ['Time allowed overall (ms, at least the previous)', 10_000], ['Tries before giving up', 1],
    ])
    expect(notes).to.deep.equal([])
  })

  it('does not offer hangup right after sayAndCapture, nor a third makeCall', async () => {
    const {p, asked} = scripted(['+6531591234', '+6591234567', 'makeCall', '+6598765432', 'sayAndCapture', 'Press 1', '', 1, 1, 5000, 5000, true, 1, 'done'])
    await buildCallflow(p, {context: 'request', profiles, vcaWebhookRegistered: true})
    const lastMenu = asked.filter((a) => a.kind === 'select').at(-1)!
    const disabled = Object.fromEntries(lastMenu.choices!.map((c) => [c.value, c.disabled]))
    expect(disabled.hangup).to.contain('digits would be ignored')
    expect(disabled.makeCall).to.contain('at most 2')
  })

  it('notes what the validator says about each action as it is added', async () => {
    const {p, notes} = scripted(['+6531591234', '+6591234567', 'playFile', 'https://cdn.example.com/hello.ogg', 'done'])
    await buildCallflow(p, {context: 'request', profiles, vcaWebhookRegistered: true})
    expect(notes.map((n) => n.map((x) => x.path))).to.deep.equal([['$.callflow[1].params.fileUrl']])
  })

  it('builds a VCA answer without a makeCall, with its clientActionId', async () => {
    const {p} = scripted(['menu-main', 'say', 'Thanks for calling.', 'zira', 1, 'hangup'])
    expect(await buildCallflow(p, {context: 'vca', profiles})).to.deep.equal({clientActionId: 'menu-main', callflow: [
      {action: 'say', params: {text: 'Thanks for calling.', voiceProfile: 'en-US-ZiraRUS'}},
      {action: 'hangup'},
    ]})
  })

  it('searches voices by code, locale or language', () => {
    expect(profileChoices(profiles, 'danish').map((c) => c.value)).to.deep.equal(['da-DK-Naja'])
    expect(profileChoices(profiles, 'en-').map((c) => c.value)).to.deep.equal(['en-US-ZiraRUS', 'en-GB-Emma'])
    expect(profileChoices(profiles, undefined, 'da-DK-Naja')[0].value).to.equal('da-DK-Naja')
  })
})
