#!/usr/bin/env node
/**
 * Writes test/contract/voice-api-responses.json from 8x8's OpenAPI file: for each operation and
 * status code, the response schema (field names, types, required, enums; $refs resolved,
 * descriptions dropped) and the spec's example bodies. The contract test reads only that file, so
 * it runs on any clone. Run again when 8x8 publishes a new spec:
 *   node scripts/contract-schema.js path/to/8x8-voice-v1.openapi.json
 */
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const PREFIX = '/api/v1/subaccounts/{subAccountId}'
const KEEP = new Set(['type', 'nullable', 'required', 'properties', 'items', 'enum', 'anyOf', 'oneOf', 'allOf', 'format', 'title'])

const specPath = process.argv[2]
if (!specPath) {
  console.error('usage: node scripts/contract-schema.js path/to/8x8-voice-v1.openapi.json')
  process.exit(2)
}
const spec = JSON.parse(readFileSync(specPath, 'utf8'))

function deref(node) {
  let n = node
  for (let i = 0; n && n.$ref; i++) {
    if (i > 20) throw new Error(`$ref cycle at ${node.$ref}`)
    const ref = n.$ref
    n = ref.slice(2).split('/').map((k) => decodeURIComponent(k.replace(/~1/g, '/').replace(/~0/g, '~'))).reduce((o, k) => o?.[k], spec)
    if (n === undefined) throw new Error(`$ref ${ref} points nowhere`)
  }
  return n
}

/** Only what a body is checked against: types, fields, required, enums. */
function slim(schema, depth = 0) {
  if (depth > 30) throw new Error('schema nests too deep')
  const s = deref(schema)
  if (Array.isArray(s)) return s.map((x) => slim(x, depth + 1))
  if (!s || typeof s !== 'object') return s
  const out = {}
  for (const [k, v] of Object.entries(s)) {
    if (!KEEP.has(k)) continue
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, slim(ps, depth + 1)]))
    else if (k === 'items' || k === 'anyOf' || k === 'oneOf' || k === 'allOf') out[k] = slim(v, depth + 1)
    else out[k] = v
  }
  return out
}

const operations = {}
for (const [p, ops] of Object.entries(spec.paths)) {
  for (const [method, op] of Object.entries(ops)) {
    if (!op || typeof op !== 'object' || !op.responses) continue
    const responses = {}
    for (const [status, raw] of Object.entries(op.responses)) {
      const res = deref(raw)
      const json = res.content?.['application/json']
      const examples = Object.values(json?.examples ?? {}).map((e) => deref(e).value).filter((v) => v !== undefined)
      if (json?.example !== undefined) examples.push(json.example)
      if (json?.schema?.example !== undefined && examples.length === 0) examples.push(json.schema.example)
      responses[status] = {...(json?.schema ? {schema: slim(json.schema)} : {}), ...(examples.length > 0 ? {examples} : {})}
    }
    operations[`${method.toUpperCase()} ${p.startsWith(PREFIX) ? p.slice(PREFIX.length) : p}`] = responses
  }
}

const out = {
  about: `Response schemas of the 8x8 Voice API, written by scripts/contract-schema.js from ${path.basename(specPath)} (${spec.info?.title ?? ''} ${spec.info?.version ?? ''}). Paths are under ${PREFIX}.`,
  prefix: PREFIX,
  operations,
}
const target = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'contract', 'voice-api-responses.json')
writeFileSync(target, JSON.stringify(out, null, 1) + '\n')
console.log(`wrote ${target}: ${Object.keys(operations).length} operations`)
