// The platform's words are explained in the --help of every command that uses them (issue 14, item 11).
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {expect} from 'chai'

import {projectRoot} from './helpers/run.js'

const EXPLAINED: Array<[RegExp, string]> = [
  [/\bVCA\b/, 'Voice Call Action'],
  [/\bVCS\b/, 'Voice Call Status'],
  [/\bVSS\b/, 'Voice Session Summary'],
  [/\bMOS\b/, 'Mean Opinion Score'],
  [/\bSIP\b/, 'SIP code: the phone network'],
  [/\blegs?\b/, 'A leg, B leg'],
]

describe('--help explains the platform\'s words where they appear', () => {
  it('every command\'s help that uses VCA, VCS, VSS, MOS, SIP or legs says what they are', () => {
    // The help cache is oclif's own --help of every command, as the build renders it.
    const help = JSON.parse(readFileSync(path.join(projectRoot, 'dist', 'help-cache.json'), 'utf8')).plain as Record<string, string>
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, unknown>}
    const commands = Object.keys(manifest.commands).map((id) => id.replaceAll(':', ' '))
    let checked = 0
    for (const id of commands) {
      const text = help[id]
      expect(text, id).to.be.a('string')
      for (const [term, expansion] of EXPLAINED) {
        if (!term.test(text)) continue
        checked++
        expect(text.replace(/\s+/g, ' '), `${id}: ${term}`).to.contain(expansion)
      }
    }
    expect(checked).to.be.greaterThan(15)
  })
})
