import {Flags} from '@oclif/core'

import {login} from '../lib/accounts/login.js'
import {validateSubAccountId} from '../lib/accounts/store.js'
import {DEFAULT_BASE_URL} from '../lib/api/defaults.js'
import {IvrCommand} from '../cli/base-command.js'
import {usageError} from '../lib/errors.js'
import {checkBaseUrl} from '../lib/settings.js'
import {readSecretFromStdin} from '../lib/stdin.js'

export default class Login extends IvrCommand<typeof Login> {
  static override summary = 'Store the API key of a sub-account (checked with a real call first).'
  static override description = `On a terminal it asks for the sub-account id and the key (masked). Without one, give --account and pipe the key into --api-key-stdin: a key is never accepted on the command line, where the process list would show it.

The key is checked with GET speech-profiles unless --no-verify; a refused key stores nothing. Credentials live in accounts.json in the config folder (mode 0600).`
  static override examples = [
    '<%= config.bin %> login',
    'printf %s "$IVR_KEY" | <%= config.bin %> login --account acme-support --api-key-stdin',
    'printf %s "$IVR_KEY" | <%= config.bin %> login -a acme-eu --api-key-stdin --base-url https://voice.8x8.com --default',
  ]
  static override flags = {
    'api-key-stdin': Flags.boolean({summary: 'Read the API key from standard input.'}),
    verify: Flags.boolean({summary: 'Check the key with a real call before storing it.', default: true, allowNo: true}),
    default: Flags.boolean({summary: 'Make this the default account (the first one stored always is).'}),
  }

  async run(): Promise<{account: string; baseUrl?: string; verified: boolean; default: boolean}> {
    if (this.flags.sandbox) throw usageError('The sandbox needs no login.', ['Add --sandbox to any command instead.'])
    let account = this.flags.account ?? this.env.IVR_ACCOUNT
    let apiKey: string
    if (this.flags['api-key-stdin']) {
      if (!account) throw usageError('--account is required with --api-key-stdin.', ['e.g. printf %s "$KEY" | ivr login --account my-subaccount --api-key-stdin'])
      apiKey = await readSecretFromStdin(process.stdin, 'The API key')
    } else if (this.isInteractive) {
      const {input, password} = await import('@inquirer/prompts')
      account ??= await input({message: 'Sub-account id:', validate: (v) => validateSubAccountId(v.trim()) ?? true})
      apiKey = (await password({message: 'API key:', mask: '*', validate: (v) => (v.trim() ? true : 'The key is empty.')})).trim()
    } else {
      throw usageError('No terminal to ask for the key on.', ['Pipe the key in: printf %s "$KEY" | ivr login --account ID --api-key-stdin'])
    }
    account = account.trim()
    const given = this.flags['base-url'] ?? this.env.IVR_BASE_URL
    const baseUrl = given ? checkBaseUrl(given) : undefined
    const result = await login(this.accountStore(), {account, apiKey, baseUrl, verify: this.flags.verify, makeDefault: this.flags.default},
      (creds) => this.apiClientFor(creds), DEFAULT_BASE_URL)
    const checked = result.verified ? `key checked (${result.profiles} voice profiles)` : 'key not checked (--no-verify)'
    this.out(`Logged in to sub-account ${account}: ${checked}${result.isDefault ? '; it is the default account' : ''}.`)
    return {account, baseUrl, verified: result.verified, default: result.isDefault}
  }
}
