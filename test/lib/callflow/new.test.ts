import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {newCallflow, type NewCallflowOptions} from '../../../src/lib/callflow/new.js'
import {recordingOutput} from '../../../src/lib/output.js'
import {makeColors} from '../../../src/lib/render/colors.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'

/** @inquirer/prompts answering from a script, in order; records the questions. */
function scripted(answers: unknown[]) {
  const asked: string[] = []
  const next = (q: {message: string}) => {
    asked.push(q.message)
    if (answers.length === 0) throw new Error(`asked more than the script answers: ${q.message}`)
    return answers.shift()
  }
  const prompts = {
    select: async (q: {message: string}) => next(q),
    input: async (q: {message: string}) => next(q),
    number: async (q: {message: string}) => next(q),
    confirm: async (q: {message: string}) => next(q),
    search: async (q: {message: string}) => next(q),
  } as unknown as NewCallflowOptions['prompts']
  return {prompts, asked}
}

describe('the callflow new service (in-process)', () => {
  let dir: string
  let sb: RunningSandbox
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-new-'))
    sb = await startSandbox({host: '127.0.0.1', port: 0})
  })
  afterEach(async () => {
    await sb.close()
    await fs.rm(dir, {recursive: true, force: true})
  })
  const api = async () => new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test', retries: 0})
  const call = ['+6531591234', '+6591234567', 'hangup']

  it('writes the file in the format its name says, and sends it only when asked (to the sandbox)', async () => {
    const file = path.join(dir, 'flow.yaml')
    const {prompts, asked} = scripted([...call, true])
    const output = recordingOutput()
    const r = await newCallflow({vca: false, file, sandbox: true, facts: undefined, api, output, errColors: makeColors(false), prompts})
    expect(await fs.readFile(file, 'utf8')).to.match(/^callflow:\n {2}- action: makeCall/)
    expect(asked.at(-1)).to.equal('Send it now to the local sandbox (a simulated call, no cost)?')
    expect(output.said.status[0]).to.equal('No account set up: voices are typed in, not picked from a list.')
    expect(r.sent?.sessionStatus).to.equal('CREATED')
    expect(output.said.out.at(-1)).to.match(/^Session \S+ CREATED \(request id /)
  })

  it('never replaces a file without asking: declined, it prints the callflow instead and writes nothing', async () => {
    const file = path.join(dir, 'flow.json')
    await fs.writeFile(file, 'mine')
    const {prompts} = scripted([...call, false])
    const output = recordingOutput()
    const r = await newCallflow({vca: false, file, sandbox: false, facts: {}, api, output, errColors: makeColors(false), prompts})
    expect(await fs.readFile(file, 'utf8')).to.equal('mine')
    expect(r.file).to.equal(undefined)
    expect(JSON.parse(output.said.out[0]).callflow[0].action).to.equal('makeCall')
    expect(output.said.status.at(-1)).to.equal('Not written; the callflow is above.')
  })
})
