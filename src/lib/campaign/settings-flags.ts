/** `campaign create`'s settings: the campaign file's (--file), with the flags given beside it winning. */
import {readCampaignFile, readSettings, type CampaignOptions} from './definition.js'

/** The flag values of `campaign create` that are settings. */
export interface CreateSettingFlags {
  file?: string
  contacts?: string
  'number-column'?: string
  menu?: string
  callflow?: string
  from?: string[]
  rate?: string
  'max-live'?: string
  window?: string
  timezone?: string
  retry?: string[]
  'do-not-call'?: string
  'valid-for'?: string
  'live-timeout'?: string
  'price-per-minute'?: string
  currency?: string
  'on-invalid'?: string
}

const defined = <T extends Record<string, unknown>>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>

export async function createSettings(name: string | undefined, f: CreateSettingFlags): Promise<CampaignOptions> {
  const fromFile = f.file ? await readCampaignFile(f.file) : {}
  return readSettings({
    ...fromFile,
    ...defined({
      name, contacts: f.contacts, numberColumn: f['number-column'], menu: f.menu, callflow: f.callflow,
      from: f.from?.flatMap((x) => x.split(',')), rate: f.rate, maxLive: f['max-live'], window: f.window, timezone: f.timezone, retry: f.retry,
      doNotCall: f['do-not-call'], validFor: f['valid-for'], liveTimeout: f['live-timeout'], pricePerMinute: f['price-per-minute'], currency: f.currency, onInvalid: f['on-invalid'],
    }),
    // A menu given as a flag replaces the file's callflow, and the other way round.
    ...(f.menu ? {callflow: undefined} : f.callflow ? {menu: undefined} : {}),
  })
}
