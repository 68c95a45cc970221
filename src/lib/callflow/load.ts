/**
 * Callflow files: JSON or YAML text to a value, syntax errors as -1001 problems with line and
 * column, and a way back from a JSON path (`$.callflow[1].params.text`) to a place in the text.
 */
import {isMap, isScalar, isSeq, parseDocument, stringify, visit, type Document, type Node as YamlNode} from 'yaml'

import type {Problem} from './validate.js'

export interface Position {
  line: number
  column: number
}

export interface LoadedDocument {
  /** The parsed value; undefined when the text is not valid JSON/YAML. */
  value: unknown
  /** Syntax problems (-1001), with line and column. */
  problems: Problem[]
  /** Where a JSON path is in the text: the path itself, or its nearest ancestor that exists. */
  locate(path: string): Position | undefined
  format: 'json' | 'yaml'
}

/** JSON unless the name says YAML, or (stdin, no extension) the text does not start like JSON. */
export function detectFormat(text: string, fileName: string): 'json' | 'yaml' {
  const lower = fileName.toLowerCase()
  if (lower.endsWith('.json')) return 'json'
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml'
  const first = /\S/.exec(text)?.[0]
  return first === '{' || first === '[' ? 'json' : 'yaml'
}

/** Offset to line/column by binary search over line starts: many problems in a big file stay cheap. */
function lineIndex(text: string): (offset: number) => Position {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return (offset) => {
    const at = Math.min(offset, text.length)
    let lo = 0
    let hi = starts.length - 1
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1
      if (starts[mid] <= at) lo = mid
      else hi = mid - 1
    }
    return {line: lo + 1, column: at - starts[lo] + 1}
  }
}

function positionAt(text: string, offset: number): Position {
  let line = 1
  let lineStart = 0
  const end = Math.min(offset, text.length)
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++
      lineStart = i + 1
    }
  }
  return {line, column: end - lineStart + 1}
}

function syntaxProblem(text: string, offset: number, message: string, format: 'json' | 'yaml'): Problem {
  const pos = positionAt(text, offset)
  return {code: -1001, path: '$', message: `not valid ${format === 'json' ? 'JSON' : 'YAML'}: ${message}`, severity: 'error', line: pos.line, column: pos.column}
}

// ---- paths ----------------------------------------------------------------------------------

/** `$.callflow[1].params["odd key"]` → ['callflow', 1, 'params', 'odd key']. */
export function parsePath(path: string): Array<string | number> | undefined {
  if (!path.startsWith('$')) return undefined
  const out: Array<string | number> = []
  const re = /\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y
  re.lastIndex = 1
  while (re.lastIndex < path.length) {
    const m = re.exec(path)
    if (!m) return undefined
    if (m[1] !== undefined) out.push(m[1])
    else if (m[2] !== undefined) out.push(Number(m[2]))
    else out.push(JSON.parse(m[3]) as string)
  }
  return out
}

// ---- JSON -----------------------------------------------------------------------------------

class JsonSyntaxError {
  constructor(readonly offset: number, readonly message: string) {}
}

/**
 * A small JSON reader used only for what JSON.parse does not give: where a syntax error is (its
 * messages do not always say), and where each path starts. `record` receives each path's offset.
 */
function scanJson(text: string, record?: (path: string, offset: number) => void): void {
  let i = 0
  const n = text.length
  const fail = (message: string, at = i): never => {
    throw new JsonSyntaxError(at, message)
  }
  const ws = () => {
    while (i < n) {
      const ch = text.charCodeAt(i)
      if (ch === 32 || ch === 9 || ch === 10 || ch === 13) i++
      else break
    }
  }
  const describe = (at: number) => (at >= n ? 'end of input' : `${JSON.stringify(text[at])}`)
  const string = (): string => {
    const start = i
    i++
    while (i < n) {
      const ch = text.charCodeAt(i)
      if (ch === 34) {
        i++
        return JSON.parse(text.slice(start, i)) as string
      }
      if (ch === 92) {
        const e = text[i + 1]
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string')
          i += 6
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          i += 2
        } else {
          fail(`bad escape \\${e ?? ''} in a string`)
        }
        continue
      }
      if (ch < 32) fail(ch === 10 ? 'a string runs past the end of the line (missing closing ")' : 'a control character inside a string (escape it)')
      i++
    }
    return fail('a string is not closed (missing ")', start)
  }
  const value = (path: string, depth: number): void => {
    if (depth > 512) fail('nested too deeply')
    ws()
    const ch = text[i]
    if (ch === '{') {
      i++
      ws()
      if (text[i] === '}') {
        i++
        return
      }
      for (;;) {
        ws()
        if (text[i] !== '"') fail(text[i] === '}' ? 'a trailing comma before }' : text[i] === "'" ? 'property names need double quotes' : `expected a property name in double quotes, found ${describe(i)}`)
        const keyAt = i
        const key = string()
        const childPath = /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`
        record?.(childPath, keyAt)
        ws()
        if (text[i] !== ':') fail(`expected ':' after the property name, found ${describe(i)}`)
        i++
        value(childPath, depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === '}') {
          i++
          return
        }
        fail(`expected ',' or '}' after a property value, found ${describe(i)}`)
      }
    }
    if (ch === '[') {
      i++
      ws()
      if (text[i] === ']') {
        i++
        return
      }
      for (let idx = 0; ; idx++) {
        ws()
        if (text[i] === ']') fail('a trailing comma before ]')
        record?.(`${path}[${idx}]`, i)
        value(`${path}[${idx}]`, depth + 1)
        ws()
        if (text[i] === ',') {
          i++
          continue
        }
        if (text[i] === ']') {
          i++
          return
        }
        fail(`expected ',' or ']' after an array item, found ${describe(i)}`)
      }
    }
    if (ch === '"') {
      string()
      return
    }
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400))
    if (lit) {
      i += lit[0].length
      return
    }
    if (ch === undefined) fail('unexpected end of input')
    if (ch === "'") fail('strings need double quotes')
    fail(`unexpected ${describe(i)}`)
  }
  record?.('$', (/\S/.exec(text)?.index) ?? 0)
  value('$', 0)
  ws()
  if (i < n) fail(`unexpected ${describe(i)} after the end of the JSON value`)
}

function loadJson(text: string): LoadedDocument {
  let positions: Map<string, number> | undefined
  let toPosition: ((offset: number) => Position) | undefined
  const locate = (path: string) => {
    if (!positions) {
      positions = new Map()
      const map = positions
      try {
        scanJson(text, (p, offset) => map.set(p, offset))
      } catch {
        // Positions found before a syntax error are still useful.
      }
    }
    toPosition ??= lineIndex(text)
    return nearest(path, (p) => positions!.get(p), toPosition)
  }
  try {
    return {value: JSON.parse(text), problems: [], locate, format: 'json'}
  } catch (error) {
    let offset = text.length
    let message = (error as Error).message
    try {
      scanJson(text)
    } catch (scan) {
      if (scan instanceof JsonSyntaxError) {
        offset = scan.offset
        message = scan.message
      }
    }
    return {value: undefined, problems: [syntaxProblem(text, offset, message, 'json')], locate, format: 'json'}
  }
}

const LAST_SEGMENT = /(?:\.[A-Za-z_$][\w$]*|\[\d+\]|\["(?:[^"\\]|\\.)*"\])$/

/** The position of a path, or of its nearest ancestor that the text has (paths are in the form `scanJson` records). */
function nearest(path: string, offsetOf: (p: string) => number | undefined, toPosition: (offset: number) => Position): Position | undefined {
  for (let p = path; ;) {
    const off = offsetOf(p)
    if (off !== undefined) return toPosition(off)
    const parent = p.replace(LAST_SEGMENT, '')
    if (parent === p) return undefined
    p = parent
  }
}

// ---- YAML -----------------------------------------------------------------------------------

function yamlNodeOffset(doc: Document, segs: Array<string | number>): number | undefined {
  let node: unknown = doc.contents
  let offset = (doc.contents as YamlNode | null)?.range?.[0]
  for (const s of segs) {
    if (typeof s === 'number' && isSeq(node)) {
      const item = node.items[s] as YamlNode | undefined
      if (!item) return undefined
      node = item
      offset = item.range?.[0]
    } else if (typeof s === 'string' && isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === s)
      if (!pair) return undefined
      offset = (pair.key as YamlNode | null)?.range?.[0] ?? offset
      node = pair.value
    } else {
      return undefined
    }
  }
  return offset
}

function loadYaml(text: string): LoadedDocument {
  const doc = parseDocument(text, {prettyErrors: false, logLevel: 'error', uniqueKeys: true})
  let toPosition: ((offset: number) => Position) | undefined
  const locate = (path: string) => {
    const segs = parsePath(path)
    if (!segs) return undefined
    for (let k = segs.length; k >= 0; k--) {
      const off = yamlNodeOffset(doc, segs.slice(0, k))
      toPosition ??= lineIndex(text)
      if (off !== undefined) return toPosition(off)
    }
    return undefined
  }
  const problems: Problem[] = []
  // `text: {{name}}` is a YAML mapping, not a placeholder: catch it before it becomes nonsense.
  visit(doc, {
    Map(_, node) {
      const at = node.range?.[0]
      if (node.flow && at !== undefined && text.startsWith('{{', at)) {
        const p = syntaxProblem(text, at, 'an unquoted {{placeholder}} is read as a mapping', 'yaml')
        p.hint = 'Quote it: "{{name}}".'
        problems.push(p)
        return visit.SKIP
      }
      return undefined
    },
  })
  for (const e of doc.errors) {
    problems.push(syntaxProblem(text, e.pos[0], e.message.split('\n')[0], 'yaml'))
  }
  if (problems.length > 0) return {value: undefined, problems, locate, format: 'yaml'}
  try {
    return {value: doc.toJS({maxAliasCount: 100}), problems, locate, format: 'yaml'}
  } catch (error) {
    return {value: undefined, problems: [syntaxProblem(text, 0, (error as Error).message, 'yaml')], locate, format: 'yaml'}
  }
}

// ---- entry points ---------------------------------------------------------------------------

/** Parses a callflow file's text: JSON or YAML (by name, else by content). Never throws. */
export function parseCallflowText(text: string, fileName: string): LoadedDocument {
  const body = text.charCodeAt(0) === 0xFEFF ? text.slice(1) : text
  const format = detectFormat(body, fileName)
  if (body.trim() === '') {
    return {value: undefined, problems: [{code: -1001, path: '$', message: 'the file is empty', severity: 'error', line: 1, column: 1}], locate: () => undefined, format}
  }
  return format === 'json' ? loadJson(body) : loadYaml(body)
}

/** The problems with line and column filled in from the document they were found in. */
export function locateProblems(problems: readonly Problem[], doc: Pick<LoadedDocument, 'locate'>): Problem[] {
  return problems.map((p) => {
    if (p.line !== undefined) return p
    const pos = doc.locate(p.path)
    return pos ? {...p, line: pos.line, column: pos.column} : p
  })
}

/** A callflow as file text, in the format its file name asks for. */
export function stringifyCallflow(doc: unknown, format: 'json' | 'yaml'): string {
  return format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : stringify(doc, {lineWidth: 0})
}
