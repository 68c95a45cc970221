/**
 * A small JSON Schema checker for the subset the 8x8 OpenAPI file uses: type (with nullable),
 * properties, required, items, enum, anyOf/oneOf/allOf and local $ref (JSON pointers). The
 * contract test checks every sandbox response against test/contract/voice-api-responses.json
 * (written from the spec) with it; no dependency needed. Test-only: it does not ship.
 */

/** A schema of the subset above; other keywords (description, format…) are kept but not checked. */
export interface Schema {
  $ref?: string
  nullable?: boolean
  type?: string | string[]
  enum?: unknown[]
  required?: string[]
  properties?: Record<string, Schema>
  items?: Schema
  allOf?: Schema[]
  anyOf?: Schema[]
  oneOf?: Schema[]
  [keyword: string]: unknown
}

export interface SchemaProblem {
  path: string
  message: string
}

/** Resolves a local $ref ("#/paths/~1api~1v1.../schema") against the document. */
export function resolvePointer(doc: unknown, ref: string): Schema {
  if (!ref.startsWith('#')) throw new Error(`only local $ref is supported: ${ref}`)
  let node: unknown = doc
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(raw.replace(/~1/g, '/').replace(/~0/g, '~'))
    node = node === null || node === undefined ? undefined : (node as Record<string, unknown>)[key]
    if (node === undefined) throw new Error(`$ref ${ref} points nowhere`)
  }
  return node as Schema
}

function typeOf(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'array'
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number'
  return typeof v
}

function typeMatches(expected: string, v: unknown): boolean {
  const t = typeOf(v)
  return t === expected || (expected === 'number' && t === 'integer')
}

/** Every way `value` breaks `schema` (empty when it conforms). */
export function checkSchema(doc: unknown, schemaObject: Schema | object, value: unknown, path = '$', depth = 0): SchemaProblem[] {
  // Schemas come from JSON (or literals typed only as object): read as the subset this checks.
  const schema = schemaObject as Schema
  if (depth > 50) return [{path, message: 'schema nests too deep (a $ref cycle?)'}]
  if (schema.$ref) return checkSchema(doc, resolvePointer(doc, schema.$ref), value, path, depth + 1)
  const problems: SchemaProblem[] = []
  if (value === null && schema.nullable) return problems
  if (schema.allOf) for (const s of schema.allOf) problems.push(...checkSchema(doc, s, value, path, depth + 1))
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (schema[key] && !schema[key].some((s: Schema) => checkSchema(doc, s, value, path, depth + 1).length === 0)) {
      problems.push({path, message: `matches none of the ${key} alternatives`})
    }
  }
  if (schema.type) {
    const types: string[] = Array.isArray(schema.type) ? schema.type : [schema.type]
    if (!types.some((t) => typeMatches(t, value))) {
      problems.push({path, message: `${typeOf(value)} found, ${types.join(' or ')} expected`})
      return problems
    }
  }
  if (schema.enum && !schema.enum.some((e: unknown) => e === value)) problems.push({path, message: `${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`})
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push({path: `${path}.${r}`, message: 'is missing but it is required'})
    for (const [k, sub] of Object.entries<Schema>(schema.properties ?? {})) {
      // The spec's DELETE /webhooks schema has an `allOf` *property*: the entry's fields spread at top level.
      if (k === 'allOf' && !('allOf' in obj)) {
        problems.push(...checkSchema(doc, sub, obj, path, depth + 1))
        continue
      }
      if (k in obj && obj[k] !== undefined) problems.push(...checkSchema(doc, sub, obj[k], `${path}.${k}`, depth + 1))
    }
  }
  if (typeOf(value) === 'array' && schema.items) {
    const arr = value as unknown[]
    for (let i = 0; i < arr.length; i++) problems.push(...checkSchema(doc, schema.items, arr[i], `${path}[${i}]`, depth + 1))
  }
  return problems
}

