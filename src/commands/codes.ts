import {Args, Flags} from '@oclif/core'

import {IvrCommand, localBaseFlags} from '../cli/base-command.js'
import {allCodes, lookupCode, type CodeInfo} from '../lib/codes.js'
import {notFound} from '../lib/errors.js'
import {renderRows} from '../lib/render/views.js'
import {safeLine} from '../lib/render/safe.js'
import {words} from '../lib/glossary.js'

export default class Codes extends IvrCommand<typeof Codes> {
  static override baseFlags = localBaseFlags
  static override summary = 'Explain the platform\'s status codes (-1001 to -1020) and session error codes (-2001 to -2010).'
  static override description = 'Status codes come back from Send Callflow (NOT_CREATED); session error codes arrive later in a session summary (VSS errorDetails.errorCode). The callflow validator reports the same codes.' + words('VSS')
  static override examples = [
    '<%= config.bin %> codes',
    '<%= config.bin %> codes -1009',
    '<%= config.bin %> codes 2006',
    '<%= config.bin %> codes --kind session-error --json',
  ]
  static override args = {
    code: Args.string({description: 'A code, e.g. -1009 (the minus may be left out).'}),
  }
  static override flags = {
    kind: Flags.string({summary: 'Only this kind of code.', options: ['status', 'session-error']}),
  }

  async run(): Promise<CodeInfo[]> {
    if (this.args.code !== undefined) {
      const raw = this.args.code.trim()
      // Every code but 1 (Created) is negative: "1009" can only mean -1009.
      const info = lookupCode(raw) ?? (/^\d{4}$/.test(raw) ? lookupCode(`-${raw}`) : undefined)
      if (!info) throw notFound(`${safeLine(raw)} is not a code of the 8x8 Voice API.`, ['See them all with `ivr codes`.'], 'UNKNOWN_CODE')
      const c = this.colors
      this.out([
        `${c.bold(String(info.code))}  ${info.meaning}`,
        `${c.dim(info.kind === 'status' ? 'Send Callflow status code' : 'session error code (VSS errorDetails)')}`,
        '',
        info.explanation,
      ].join('\n'))
      return [info]
    }
    const rows = allCodes().filter((c) => !this.flags.kind || c.kind === this.flags.kind)
    this.out(renderRows([
      {header: 'Code', get: (r: CodeInfo) => r.code},
      {header: 'Kind', get: (r: CodeInfo) => r.kind},
      {header: 'Meaning', get: (r: CodeInfo) => r.meaning},
    ], rows, {colors: this.colors, width: this.tableWidth}))
    return [...rows]
  }
}
