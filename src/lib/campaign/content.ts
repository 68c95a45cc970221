/**
 * What a campaign says on each call: a callflow template (its {{placeholders}} filled from the
 * contact's columns, as `send-callflow --var` fills them) or a menu (its entry node, as
 * `send-callflow --menu` starts it; later nodes are answered by the menu server). Besides the
 * columns, every template may use {{to}} (the contact's number) and {{from}} (the caller id).
 */
import {parseCallflowText} from '../callflow/load.js'
import {applyOverrides, fillPlaceholders} from '../callflow/request.js'
import type {CallflowRequest} from '../callflow/types.js'
import {validateCallflow, type Problem} from '../callflow/validate.js'
import {menuStartRequest} from '../menu/answer.js'
import {checkMenuText} from '../menu/check.js'
import type {Menu} from '../menu/model.js'
import type {CampaignContent, Contact} from './model.js'

export const BUILT_IN_PLACEHOLDERS = ['to', 'from'] as const

export interface RequestFor {
  from: string
  clientRequestId: string
  validUntil: string
}

export interface LoadedContent {
  kind: 'menu' | 'callflow'
  /** Problems of the file itself (syntax; for a menu, everything `menu check` reports). */
  problems: Problem[]
  /** Placeholders the content uses. */
  placeholders: string[]
  menu?: Menu
  /** The request for one contact. */
  request(contact: Pick<Contact, 'number' | 'vars'>, r: RequestFor): CallflowRequest
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g

function placeholdersIn(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(PLACEHOLDER)) out.add(m[1])
  else if (Array.isArray(value)) for (const v of value) placeholdersIn(v, out)
  else if (value && typeof value === 'object') for (const v of Object.values(value)) placeholdersIn(v, out)
  return out
}

/** The content as stored in the definition (a menu keeps its text, a callflow its parsed template). */
export function storedContent(kind: 'menu' | 'callflow', file: string, text: string): {content?: CampaignContent; problems: Problem[]} {
  if (kind === 'menu') return {content: {kind, file, text}, problems: []}
  const doc = parseCallflowText(text, file)
  if (doc.problems.length > 0 || doc.value === undefined) return {problems: doc.problems}
  return {content: {kind, file, template: doc.value}, problems: []}
}

export function loadContent(content: CampaignContent, opts: {knownProfiles?: ReadonlySet<string>} = {}): LoadedContent {
  if (content.kind === 'menu') {
    const loaded = checkMenuText(content.text, content.file, {knownProfiles: opts.knownProfiles, warnUnchecked: false})
    const menu = loaded.menu
    return {
      kind: 'menu', problems: loaded.problems, placeholders: [], menu,
      request(contact, r) {
        if (!menu) throw new Error('the menu did not load')
        return menuStartRequest(menu, {from: r.from, to: contact.number, clientRequestId: r.clientRequestId, validUntil: r.validUntil})
      },
    }
  }
  const template = content.template
  return {
    kind: 'callflow', problems: [], placeholders: [...placeholdersIn(template)],
    request(contact, r) {
      const vars = {...contact.vars, to: contact.number, from: r.from}
      const filled = fillPlaceholders(template, vars).value
      return applyOverrides(filled, {clientRequestId: r.clientRequestId, validUntil: r.validUntil}) as CallflowRequest
    },
  }
}

/** Placeholders that neither a column nor {{to}}/{{from}} fills. */
export function placeholdersWithoutColumn(content: LoadedContent, columns: readonly string[]): string[] {
  const known = new Set<string>([...columns, ...BUILT_IN_PLACEHOLDERS])
  return content.placeholders.filter((p) => !known.has(p))
}

/** Every problem of one contact's request, by the shared validator (errors and warnings). */
export function checkRequest(request: CallflowRequest, opts: {now: Date; knownProfiles?: ReadonlySet<string>}): Problem[] {
  return validateCallflow(request, {context: 'request', now: opts.now, knownProfiles: opts.knownProfiles, warnUnchecked: false})
}
