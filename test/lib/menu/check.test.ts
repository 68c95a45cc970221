import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../../helpers/run.js'
import {checkMenuText} from '../../../src/lib/menu/check.js'
import type {Problem} from '../../../src/lib/callflow/validate.js'

const VOICES = new Set(['en-US-Neural2-C', 'en-GB-Emma'])
const check = (yaml: string, knownProfiles: ReadonlySet<string> | undefined = VOICES) => checkMenuText(yaml, 'menu.yaml', {knownProfiles})
const errors = (ps: Problem[]) => ps.filter((p) => p.severity === 'error')
const warnings = (ps: Problem[]) => ps.filter((p) => p.severity === 'warning')

/** A small valid menu; tests change one thing in it. */
const base = (nodes: string, defaults = 'defaults:\n  invalid: {say: "Not an option.", repeat: true}\n  noInput: {say: "Nothing heard.", repeat: true}\n') => `${defaults}nodes:\n${nodes}`

describe('menu check', () => {
  it('finds nothing wrong in the examples', async () => {
    for (const name of ['restaurant.yaml', 'support-callback.yaml']) {
      const text = await fs.readFile(path.join(projectRoot, 'examples', 'menus', name), 'utf8')
      const r = checkMenuText(text, name, {knownProfiles: new Set(['en-US-Neural2-C'])})
      expect(r.problems, name).to.deep.equal([])
      expect(r.menu!.nodes.size).to.be.greaterThan(0)
    }
  })

  it('reports a choice leading to a node that does not exist, with its line and a suggestion', () => {
    const r = check(base('  main:\n    say: Press 1.\n    choices:\n      "1": resevations\n  reservations:\n    say: Hi.\n    then: hangup\n'))
    const e = errors(r.problems)
    expect(e).to.have.length(1)
    expect(e[0].message).to.equal('leads to node "resevations", which does not exist')
    expect(e[0].path).to.equal('$.nodes.main.choices["1"]')
    expect(e[0].line).to.equal(8)
    expect(e[0].hint).to.equal('Did you mean reservations?')
  })

  it('reports an entry, a parent and a goto that name nothing', () => {
    const r = check('entry: start\n' + base('  main:\n    say: Press 1.\n    parent: nowhere\n    choices:\n      "1": {say: Bye, goto: gone}\n'))
    const messages = errors(r.problems).map((p) => `${p.path} ${p.message}`)
    expect(messages).to.include('$.entry names node "start", which does not exist')
    expect(messages).to.include('$.nodes.main.parent names node "nowhere", which does not exist')
    expect(messages).to.include('$.nodes.main.choices["1"] leads to node "gone", which does not exist')
  })

  it('warns about a node nothing leads to', () => {
    const r = check(base('  main:\n    say: Press 1.\n    choices:\n      "1": hangup\n  orphan:\n    say: Never heard.\n'))
    expect(errors(r.problems)).to.deep.equal([])
    const w = warnings(r.problems).find((p) => p.path === '$.nodes.orphan')
    expect(w?.message).to.equal('node orphan is unreachable: no path from the entry node main leads to it')
  })

  it('reports a loop from which no hang-up or transfer can be reached', () => {
    const r = check(base('  main:\n    say: Press 1 for more.\n    choices:\n      "1": more\n      "2": hangup\n  more:\n    say: Press 1 for even more.\n    choices:\n      "1": evenMore\n  evenMore:\n    say: Press 1 to go back.\n    choices:\n      "1": more\n'))
    const e = errors(r.problems)
    expect(e).to.have.length(1)
    expect(e[0].path).to.equal('$.nodes.more')
    expect(e[0].message).to.match(/^loop with no way out: more → evenMore → more; no choice from more, evenMore leads to a hang-up or transfer$/)
  })

  it('accepts a loop that has a way out', () => {
    const r = check(base('  main:\n    say: Press 1 for more.\n    choices:\n      "1": more\n  more:\n    say: Press 1 to go back, 2 to leave.\n    choices:\n      "1": main\n      "2": {transfer: "+6562221234"}\n'))
    expect(errors(r.problems)).to.deep.equal([])
  })

  it('reports choices the capture settings can never produce', () => {
    const r = check(base('  main:\n    say: Enter your code.\n    capture: {minDigits: 2, maxDigits: 3, completeOnHash: true}\n    choices:\n      "1": hangup\n      "1234": hangup\n      "12#": hangup\n      "12": hangup\n'))
    const byPath = Object.fromEntries(errors(r.problems).map((p) => [p.path, p.message]))
    expect(byPath['$.nodes.main.choices["1"]']).to.equal('"1" can never be chosen: main needs at least 2 digits (capture.minDigits)')
    expect(byPath['$.nodes.main.choices["1234"]']).to.equal('"1234" can never be chosen: main captures at most 3 digits (capture.maxDigits)')
    expect(byPath['$.nodes.main.choices["12#"]']).to.match(/^"12#" can never be chosen: # ends the input here/)
    expect(byPath['$.nodes.main.choices["12"]']).to.equal(undefined)
  })

  it('warns about a menu without invalid-input or no-input handling', () => {
    const r = check(base('  main:\n    say: Press 1.\n    choices:\n      "1": hangup\n', ''))
    expect(errors(r.problems)).to.deep.equal([])
    const w = warnings(r.problems).map((p) => p.message)
    expect(w).to.include('menu main has no invalid-input or no-input handling: on a key with no choice or when nothing is pressed the menu is repeated without a word, and the caller is not told why')
    const half = check(base('  main:\n    say: Press 1.\n    choices:\n      "1": hangup\n    noInput: hangup\n', '')).problems.map((p) => p.message)
    expect(half).to.include('menu main has no invalid-input handling: on a key with no choice the menu is repeated without a word, and the caller is not told why')
  })

  it('reports duplicate node ids', () => {
    const r = check('nodes:\n  - id: main\n    say: Press 1.\n    choices: {"1": hangup}\n  - id: main\n    say: Again.\n')
    const e = errors(r.problems).find((p) => p.path === '$.nodes[1]')
    expect(e?.message).to.equal('duplicate node id "main"')
    expect(e?.line).to.equal(5)
  })

  it('reports duplicate node keys in YAML', () => {
    const r = check('nodes:\n  main:\n    say: A.\n  main:\n    say: B.\n')
    expect(r.menu).to.equal(undefined)
    expect(errors(r.problems)[0].message).to.match(/unique/i)
  })

  it('reports text over the platform limit once placeholders are filled, and very long prompts', () => {
    const long = 'x'.repeat(2980)
    const r = check(base(`  main:\n    say: Press 1.\n    choices:\n      "1": {say: "${long} {{digits}}", hangup: true}\n  other:\n    say: "${'Press 1 for this. '.repeat(40)}"\n    choices: {"1": hangup}\n`))
    const e = errors(r.problems).find((p) => p.path === '$.nodes.main.choices["1"].say')
    expect(e?.message).to.equal('can be 3006 characters once its placeholders are filled; the platform speaks at most 3000')
    const w = warnings(r.problems).find((p) => p.path === '$.nodes.other.say')
    expect(w?.message).to.match(/^the prompt is 720 characters \(about 48 s of speech\)/)
  })

  it('reports voices unknown to the cached profile list, and says when voices could not be checked', () => {
    const menu = base('  main:\n    say: Press 1.\n    voice: en-US-Nope\n    choices:\n      "1": {say: Bye, voice: en-GB-Emma, hangup: true}\n')
    const known = errors(check(menu).problems)
    expect(known).to.have.length(1)
    expect(known[0].code).to.equal(-1002)
    expect(known[0].path).to.equal('$.nodes.main')
    expect(known[0].message).to.contain('en-US-Nope')
    const unknown = checkMenuText(menu, 'menu.yaml', {}).problems
    expect(errors(unknown)).to.deep.equal([])
    expect(unknown.filter((p) => p.unchecked)).to.have.length(1)
  })

  it('passes every emitted callflow through the shared validator', () => {
    const r = check(base('  main:\n    say: Press 1.\n    play: https://example.com/jingle.ogg\n    choices:\n      "1": {transfer: "12"}\n      "2": {say: "Bye", speed: 3, hangup: true}\n'))
    const e = errors(r.problems)
    const play = warnings(r.problems).find((p) => p.path === '$.nodes.main')
    expect(play?.message).to.match(/^the prompt of main: callflow\[0\]\.params\.fileUrl /)
    const transfer = e.find((p) => p.path === '$.nodes.main.choices["1"]')
    expect(transfer?.message).to.match(/^the answer to main 1: callflow\[0\]\.params\.destination /)
    expect(e.find((p) => p.path === '$.nodes.main.choices["2"].speed')?.message).to.equal('must be a number from 0.5 to 2, not 3')
  })

  it('reports unknown placeholders, back with nowhere to go, and a step that does not say what comes next', () => {
    const r = check(base('  main:\n    say: "Hello {{name}}. Press 1."\n    choices:\n      "1": sub\n      "2": {say: Bye}\n  other:\n    say: Press 1.\n    choices: {"1": sub, "2": hangup}\n  sub:\n    say: Press 1 to go back.\n    choices: {"1": back, "2": hangup}\n'))
    const messages = errors(r.problems).map((p) => p.message)
    expect(messages).to.include('placeholder {{name}} is not one the menu server fills')
    expect(messages).to.include('does not say what happens next')
    expect(messages).to.include('back from sub (1) has nowhere to go: sub is reached from main and other')
  })
})
