import {Args} from '@oclif/core'

import type {NumberCheckResponse} from '../../lib/api/types.js'
import {ApiError} from '../../lib/api/errors.js'
import {IvrCommand} from '../../cli/base-command.js'
import {isE164Shape} from '../../lib/callflow/phone.js'
import {notFound, usageError} from '../../lib/errors.js'
import {safeLine} from '../../lib/render/safe.js'

export default class NumbersCheck extends IvrCommand<typeof NumbersCheck> {
  static override summary = 'Check that a number is one of the sub-account\'s virtual numbers.'
  static override description = 'Exits 0 when the number is assigned to the sub-account, 5 when it is not.'
  static override examples = ['<%= config.bin %> numbers check +6531591234']
  static override args = {
    number: Args.string({description: 'The number, in E.164 form (+ optional).', required: true}),
  }

  async run(): Promise<NumberCheckResponse> {
    const number = this.args.number.replace(/[\s()-]/g, '')
    if (!isE164Shape(number)) throw usageError(`"${safeLine(this.args.number)}" is not a phone number.`, ['Give it in E.164 form, e.g. +6531591234.'])
    const api = await this.api()
    let res: NumberCheckResponse
    try {
      res = await api.checkNumber(number.replace(/^\+/, ''))
    } catch (error) {
      if (error instanceof ApiError && error.httpStatus === 404) throw notFound(`${number} is not a virtual number of sub-account "${api.subAccountId}".`, ['See the assigned ones with `ivr numbers list`.'], 'NUMBER_NOT_ASSIGNED')
      throw error
    }
    const p = res.payload ?? {}
    this.out(`${safeLine(p.msisdn ?? number)} is assigned to ${api.subAccountId} (country ${safeLine(p.countryCode ?? '?')}, reference ${safeLine(p.referenceId ?? '-')}).`)
    return res
  }
}
