/**
 * One callflow text, checked end to end: parsed (JSON/YAML), placeholders filled, validated,
 * and every problem located in the text. Shared by `callflow validate` and `send-callflow`.
 */
import type {Readable} from 'node:stream'

import {readAllText} from '../stdin.js'
import {locateProblems, parseCallflowText, type LoadedDocument} from './load.js'
import {applyOverrides, fillPlaceholders, varFlag, type RequestOverrides} from './request.js'
import {validateCallflow, type Problem, type ValidateOptions} from './validate.js'
import {readInputFile} from '../input-file.js'

export interface CheckedText {
  /** The document with placeholders filled; undefined when it did not parse. */
  value: unknown
  problems: Problem[]
  /** --var names no placeholder used. */
  unusedVars: string[]
  format: 'json' | 'yaml'
}

/**
 * Parses and validates. A placeholder left without a value is a warning (a template's structure
 * can still be checked), and the value it stands in for is not judged; `strictVars` makes it an error.
 */
export function checkCallflowText(text: string, fileName: string, opts: ValidateOptions & {vars?: Readonly<Record<string, string>>; strictVars?: boolean}): CheckedText {
  const doc = parseCallflowText(text, fileName)
  if (doc.problems.length > 0) return {value: undefined, problems: doc.problems, unusedVars: [], format: doc.format}
  const filled = fillPlaceholders(doc.value, opts.vars ?? {})
  const templated = new Set(filled.missing.map((m) => m.path))
  const problems = validateCallflow(filled.value, opts).filter((p) => !templated.has(p.path))
  const placeholderProblems: Problem[] = filled.missing.map((m) => ({
    path: m.path,
    message: `placeholder {{${m.name}}} has no value`,
    severity: opts.strictVars ? 'error' : 'warning',
    hint: `Give it one: ${varFlag(m.name)}.`,
  }))
  return {value: filled.value, problems: locateProblems([...placeholderProblems, ...problems], doc), unusedVars: filled.unused, format: doc.format}
}

/** The text of a callflow file, or of stdin for `-`; an unreadable file is invalid input (exit 4). */
export async function readCallflowSource(file: string, stdin: Readable & {isTTY?: boolean}): Promise<{name: string; text: string}> {
  if (file === '-') return {name: '<stdin>', text: await readAllText(stdin, 'The callflow')}
  return {name: file, text: await readInputFile(file, 'Give a JSON or YAML callflow file, or - to read standard input.')}
}

export interface LoadedRequest {
  /** The request to send: placeholders filled, overrides applied; undefined when the text did not parse. */
  body: unknown
  doc: LoadedDocument
  /** Syntax problems (-1001); when there are any, there is no body. */
  syntax: Problem[]
  /** Placeholders left without a value (names, once each). */
  missingVars: string[]
  unusedVars: string[]
}

/** A request file as `send-callflow` sends it: parsed, {{placeholders}} filled, validUntil/clientRequestId from flags. */
export function loadRequestText(text: string, fileName: string, opts: {vars?: Readonly<Record<string, string>>; overrides?: RequestOverrides} = {}): LoadedRequest {
  const doc = parseCallflowText(text, fileName)
  if (doc.problems.length > 0) return {body: undefined, doc, syntax: doc.problems, missingVars: [], unusedVars: []}
  const filled = fillPlaceholders(doc.value, opts.vars ?? {})
  return {
    body: applyOverrides(filled.value, opts.overrides ?? {}),
    doc,
    syntax: [],
    missingVars: [...new Set(filled.missing.map((m) => m.name))],
    unusedVars: filled.unused,
  }
}
