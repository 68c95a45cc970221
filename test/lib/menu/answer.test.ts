import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import path from 'node:path'

import {projectRoot} from '../../helpers/run.js'
import {answerCall, menuStartRequest} from '../../../src/lib/menu/answer.js'
import {parseMenuText, type Menu} from '../../../src/lib/menu/model.js'
import type {SayAndCaptureParams, SayParams} from '../../../src/lib/callflow/types.js'
import {validateCallflow} from '../../../src/lib/callflow/validate.js'
import {readCallEvent} from '../../../src/lib/webhooks/parse.js'

const vca = (payload: Record<string, unknown>) => readCallEvent({namespace: 'VOICE', eventType: 'CALL_ACTION', payload: {sessionId: 's1', callDirection: 'INBOUND', source: '+6591234567', destination: '+6531591234', ...payload}})

describe('menu answers', () => {
  let restaurant: Menu
  let callback: Menu
  before(async () => {
    const read = async (n: string) => parseMenuText(await fs.readFile(path.join(projectRoot, 'examples', 'menus', n), 'utf8'), n).menu!
    restaurant = await read('restaurant.yaml')
    callback = await read('support-callback.yaml')
  })

  it('opens the entry menu on CALL_RECEIVED', () => {
    const a = answerCall(restaurant, vca({callStatus: 'CALL_RECEIVED'}))
    expect(a.response.clientActionId).to.equal('main')
    expect(a.response.callflow.map((x) => x.action)).to.deep.equal(['sayAndCapture'])
    expect((a.response.callflow[0].params as SayAndCaptureParams).promptMessage).to.match(/^Welcome to Bella Tavola/)
    expect(a.problem).to.equal(undefined)
  })

  it('follows the digits from the node named by clientActionId', () => {
    const a = answerCall(restaurant, vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'main', eventData: {dtmf: '1'}}))
    expect(a.response.clientActionId).to.equal('reservations')
    expect(a.from).to.equal('main')
    expect(a.taken).to.equal('1')
  })

  it('fills placeholders from the payload', () => {
    const a = answerCall(restaurant, vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'book', eventData: {dtmf: '1'}}))
    expect(a.response.callflow).to.deep.equal([
      {action: 'say', params: {text: 'Thank you. Your table for today is booked; we will text +6591234567 the details. Goodbye.', voiceProfile: 'en-US-Neural2-C'}},
      {action: 'hangup'},
    ])
    const wrong = answerCall(restaurant, vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'reservations', eventData: {dtmf: '8'}}))
    expect((wrong.response.callflow[0].params as SayParams).text).to.equal('Sorry, 8 is not one of the options.')
    expect(wrong.response.clientActionId).to.equal('reservations')
  })

  it('takes the no-input handler when no digits came', () => {
    const a = answerCall(restaurant, vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'staff', eventData: {dtmf: null}}))
    expect(a.taken).to.equal('no input')
    expect((a.response.callflow[0].params as SayParams).text).to.equal('Sorry, we did not hear a choice.')
    expect(a.response.clientActionId).to.equal('staff')
  })

  it('transfers with the virtual number as caller id', () => {
    const a = answerCall(restaurant, vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'staff', eventData: {dtmf: '1'}}))
    expect(a.response.callflow[1]).to.deep.equal({action: 'makeCall', params: {source: '+6531591234', destination: '+6562221234'}})
    expect(a.response.clientActionId).to.equal(undefined)
  })

  it('answers the apology, and names the problem, for an unknown clientActionId or a body that is not a VCA', () => {
    for (const event of [vca({callStatus: 'ACTION_COMPLETED', clientActionId: 'nope', eventData: {dtmf: '1'}}), readCallEvent('garbage'), readCallEvent({})]) {
      const a = answerCall(restaurant, event)
      expect(a.response.callflow.map((x) => x.action)).to.deep.equal(['say', 'hangup'])
      expect(a.problem).to.be.a('string')
    }
  })

  it('reads a VCA without clientActionId as the entry menu of an outbound call', () => {
    const a = answerCall(callback, readCallEvent({payload: {sessionId: 's', callStatus: 'ACTION_COMPLETED', callDirection: 'OUTBOUND', source: '+6531591234', destination: '+6591234567', eventData: {dtmf: '2'}}}))
    expect(a.from).to.equal('callback')
    expect(a.response.callflow[1]).to.deep.equal({action: 'makeCall', params: {source: '+6531591234', destination: '+6562225678'}})
  })

  it('builds a start request the shared validator accepts', () => {
    const req = menuStartRequest(callback, {from: '+6531591234', to: '+6591234567', clientRequestId: 'r1'})
    expect(req.callflow[0]).to.deep.equal({action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}})
    expect(req.callflow[1].action).to.equal('sayAndCapture')
    expect(req.clientRequestId).to.equal('r1')
    expect(validateCallflow(req, {context: 'request', knownProfiles: new Set(['en-US-Neural2-C']), vcaWebhookRegistered: true}).filter((p) => p.severity === 'error')).to.deep.equal([])
  })
})
