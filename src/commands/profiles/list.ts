import {Flags} from '@oclif/core'

import type {SpeechProfile} from '../../lib/api/types.js'
import {IvrCommand} from '../../cli/base-command.js'
import {filterProfiles, getProfiles, profileCacheFile} from '../../lib/profiles.js'
import {profileColumns, renderRows} from '../../lib/render/views.js'

export default class ProfilesList extends IvrCommand<typeof ProfilesList> {
  static override summary = 'List the voice (TTS) profiles usable in say and sayAndCapture.'
  static override description = 'The list is cached per account for a day (the callflow validator checks voices against it offline); --refresh asks the API again.'
  static override examples = [
    '<%= config.bin %> profiles list --locale en-GB',
    '<%= config.bin %> profiles list --locale en --gender F',
    '<%= config.bin %> profiles list --json --refresh',
  ]
  static override flags = {
    locale: Flags.string({summary: 'Only profiles whose locale starts with this (en, en-US, da-DK).'}),
    gender: Flags.string({summary: 'Only this gender.', options: ['F', 'M', 'f', 'm']}),
    refresh: Flags.boolean({summary: 'Ignore the cached list and ask the API.'}),
    csv: Flags.boolean({summary: 'Print CSV instead of a table.', exclusive: ['json']}),
  }

  async run(): Promise<{profiles: SpeechProfile[]; fetchedAt: string; fromCache: boolean}> {
    const api = await this.api()
    const creds = await this.credentials()
    const list = await getProfiles(api, profileCacheFile(this.paths.cacheDir, creds.account, creds.baseUrl), {refresh: this.flags.refresh})
    const profiles = filterProfiles(list.profiles, {locale: this.flags.locale, gender: this.flags.gender})
    if (profiles.length === 0) this.status('No voice profiles match.')
    else this.out(renderRows(profileColumns(), profiles, {csv: this.flags.csv, colors: this.colors, width: this.tableWidth}))
    if (list.fromCache) this.status(this.errColors.dim(`(cached ${list.fetchedAt.toISOString()}; --refresh to ask again)`))
    return {profiles, fetchedAt: list.fetchedAt.toISOString(), fromCache: list.fromCache}
  }
}
