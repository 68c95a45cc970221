import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {espeakSpeaker, speechEnvironment} from '../../../src/lib/caller/speech.js'

describe('prompt speech (espeak-ng)', () => {
  let dir: string
  before(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-speech-'))
  })
  after(() => fs.rm(dir, {recursive: true, force: true}))

  it('passes the prompt on stdin, never as arguments, with only the environment speech needs', async () => {
    // A stand-in synthesiser that records what it was given.
    const record = path.join(dir, 'record.json')
    const fake = path.join(dir, 'fake-espeak')
    await fs.writeFile(fake, `#!${process.execPath}
const fs = require('node:fs')
if (process.argv[2] === '--version') process.exit(0)
const stdin = fs.readFileSync(0, 'utf8')
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({argv: process.argv.slice(2), stdin, env: process.env}))
`, {mode: 0o755})
    const env = {PATH: process.env.PATH, HOME: '/home/x', IVR_API_KEY: 'secret-key-1234', IVR_WEBHOOK_AUTH: 'Bearer hook-secret', XDG_RUNTIME_DIR: '/run/user/1'}
    const speaker = espeakSpeaker(env, fake)
    expect(speaker).not.to.equal(undefined)
    speaker!.say('-w out.wav press 1')
    let seen: {argv: string[]; stdin: string; env: Record<string, string>} | undefined
    for (let i = 0; i < 100 && !seen; i++) {
      // The stand-in may be mid-write: a file not there yet or not yet whole is read again.
      seen = await fs.readFile(record, 'utf8').then((t) => JSON.parse(t)).catch(() => undefined)
      if (!seen) await new Promise((r) => setTimeout(r, 50))
    }
    expect(seen, 'the synthesiser never ran').not.to.equal(undefined)
    expect(seen!.argv).to.deep.equal(['--stdin'])
    expect(seen!.stdin).to.equal('-w out.wav press 1')
    expect(Object.keys(seen!.env).filter((k) => k.startsWith('IVR_'))).to.deep.equal([])
    expect(JSON.stringify(seen!.env)).not.to.contain('secret')
    expect(seen!.env.XDG_RUNTIME_DIR).to.equal('/run/user/1')
  })

  it('keeps API keys and webhook auth out of the child environment', () => {
    const picked = speechEnvironment({PATH: '/bin', IVR_API_KEY: 'k', IVR_WEBHOOK_AUTH: 'a', AWS_SECRET_ACCESS_KEY: 's', LANG: 'C.UTF-8'})
    expect(picked).to.deep.equal({PATH: '/bin', LANG: 'C.UTF-8'})
  })

  it('is absent when the synthesiser is not installed', () => {
    expect(espeakSpeaker({PATH: dir}, path.join(dir, 'no-such-espeak'))).to.equal(undefined)
  })
})
