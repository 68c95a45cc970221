// The layering rules of docs/architecture.md, checked on the source itself.
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {expect} from 'chai'

import {projectRoot} from './helpers/run.js'

const src = path.join(projectRoot, 'src')

function tsFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const full = path.join(dir, e.name)
    if (e.isDirectory()) return tsFiles(full)
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [full] : []
  })
}

const rel = (file: string) => path.relative(projectRoot, file).split(path.sep).join('/')

/**
 * The modules of src a file imports: static imports and re-exports (type-only ones included) and
 * dynamic `import()`s, relative specifiers only (packages cannot import back into src).
 */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1')
  const specs = [
    ...code.matchAll(/\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s{},$]*?\bfrom\s+)?['"]([^'"]+)['"]/g),
    ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g),
  ].map((m) => m[1])
  return specs.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')))
}

/** Every cycle of the graph, each reported once (from its smallest module name), as a path a → b → a. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>()
  const state = new Map<string, 'open' | 'done'>()
  const stack: string[] = []
  const visit = (node: string) => {
    state.set(node, 'open')
    stack.push(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (state.get(next) === 'open') {
        const cycle = stack.slice(stack.indexOf(next))
        const start = cycle.indexOf([...cycle].sort()[0])
        const rotated = [...cycle.slice(start), ...cycle.slice(0, start)]
        cycles.set(rotated.join(' → '), [...rotated, rotated[0]])
      } else if (!state.has(next)) visit(next)
    }
    stack.pop()
    state.set(node, 'done')
  }
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node)
  return [...cycles.values()]
}

describe('architecture', () => {
  const files = tsFiles(src)

  it('keeps every command file at 80 lines or fewer (commands parse flags and delegate)', () => {
    const long = tsFiles(path.join(src, 'commands'))
      .map((f) => ({file: rel(f), lines: readFileSync(f, 'utf8').replace(/\n$/, '').split('\n').length}))
      .filter((f) => f.lines > 80)
      .map((f) => `${f.file}: ${f.lines} lines`)
    expect(long).to.deep.equal([])
  })

  it('has no import cycle in src, type-only imports included', () => {
    const graph = new Map(files.map((f) => [rel(f), importsOf(f).map(rel)]))
    const cycles = findCycles(graph).map((c) => c.join(' → '))
    expect(cycles).to.deep.equal([])
  })

  it('keeps the command layer (src/commands, src/cli: oclif, flags, printing, exiting) out of the services in src/lib', () => {
    const upward = files
      .filter((f) => rel(f).startsWith('src/lib/'))
      .flatMap((f) => importsOf(f).map(rel).filter((to) => /^src\/(commands|cli)\//.test(to)).map((to) => `${rel(f)} → ${to}`))
    expect(upward).to.deep.equal([])
    const oclifInLib = files.filter((f) => rel(f).startsWith('src/lib/') && /from\s+['"]@oclif\//.test(readFileSync(f, 'utf8'))).map(rel)
    expect(oclifInLib, 'oclif (commands, flags) only in the command layer').to.deep.equal([])
  })

  it('creates HTTP servers in one module of src (the server kit)', () => {
    const creating = files.filter((f) => /\bcreateServer\b/.test(readFileSync(f, 'utf8'))).map(rel)
    expect(creating).to.deep.equal(['src/lib/http/server.ts'])
  })

  it('makes local HTTP requests in one module of src (the small JSON client; the API goes through got)', () => {
    const requesting = files.filter((f) => /\b(?:https?|lib)\.(?:request|get)\(/.test(readFileSync(f, 'utf8'))).map(rel)
    expect(requesting).to.deep.equal(['src/lib/http/client.ts'])
  })

  it('writes each small fact once: the E.164 shape, the loopback check, the webhook kinds, ApiError by its class', () => {
    const holding = (re: RegExp) => files.filter((f) => re.test(readFileSync(f, 'utf8'))).map(rel)
    expect(holding(/\[1-9\]\\d\{6,14\}/), 'E.164 shape (isE164Shape)').to.deep.equal(['src/lib/callflow/phone.ts'])
    expect(holding(/['"]::1['"]/), 'loopback (isLoopbackHost)').to.deep.equal(['src/lib/http/address.ts'])
    expect(holding(/['"]vss['"],\s*['"]vca['"]/), 'webhook kinds (EVENT_KINDS)').to.deep.equal([])
    expect(holding(/error\?\.httpStatus\b|as any\)\.httpStatus/), 'ApiError (instanceof)').to.deep.equal([])
  })

  describe('the import walker itself', () => {
    it('sees type-only, re-exported, multi-line and dynamic imports, and a cycle through them', () => {
      const a = path.join(src, 'a.ts')
      const text = [
        "import type {X} from './b.js'",
        "export {y} from './c.js'",
        'import {',
        '  z,',
        "} from './d/e.js'",
        "// import {q} from './commented.js'",
        "const m = await import('./f.js')",
        "import chalk from 'chalk'",
      ].join('\n')
      expect(importsOf(a, text).map(rel)).to.deep.equal(['src/b.ts', 'src/c.ts', 'src/d/e.ts', 'src/f.ts'])
      const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []]])
      expect(findCycles(graph)).to.deep.equal([['a', 'b', 'c', 'a']])
      expect(findCycles(new Map([['a', ['b']], ['b', []]]))).to.deep.equal([])
    })
  })
})
