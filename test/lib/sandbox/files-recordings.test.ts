import http from 'node:http'
import type {AddressInfo} from 'node:net'

import {expect} from 'chai'

import {VoiceApi} from '../../../src/lib/api/client.js'
import {waitForSession} from '../../../src/lib/sandbox/control.js'
import {buildPushConfig} from '../../../src/lib/recordings/config.js'
import {startSandbox, type RunningSandbox} from '../../../src/lib/sandbox/server.js'
import {request, TestReceiver, VOICE} from './receiver.js'

const MP3 = Buffer.concat([Buffer.from('ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0000', 'latin1'), Buffer.alloc(2000, 0x55)])
const WAV = Buffer.concat([Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ', 'latin1'), Buffer.alloc(100)])

describe('sandbox: playFile downloads and recordings', () => {
  let sb: RunningSandbox
  let api: VoiceApi
  let files: http.Server
  let filesUrl: string
  let rx: TestReceiver

  before(async () => {
    files = http.createServer((req, res) => {
      if (req.url === '/hello.mp3') res.writeHead(200, {'content-type': 'audio/mpeg'}).end(MP3)
      else if (req.url === '/hello.wav') res.writeHead(200, {'content-type': 'audio/wav'}).end(WAV)
      else if (req.url === '/page.mp3') res.writeHead(200, {'content-type': 'text/html'}).end('<html>not audio</html>')
      else if (req.url === '/big.mp3') res.writeHead(200, {'content-type': 'audio/mpeg'}).end(Buffer.concat([MP3, Buffer.alloc(5 * 1024 * 1024)]))
      else res.writeHead(404).end()
    })
    await new Promise<void>((r) => files.listen(0, '127.0.0.1', r))
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`
  })
  after(async () => {
    files.closeAllConnections()
    await new Promise<void>((r) => files.close(() => r()))
  })
  beforeEach(async () => {
    sb = await startSandbox({retryDelaysMs: [1]})
    api = new VoiceApi({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId, userAgent: 'test', retries: 0})
    rx = await new TestReceiver().start()
  })
  afterEach(async () => {
    await sb.close()
    await rx.close()
  })

  const play = async (fileUrl: string) => {
    const res = await api.sendCallflow(request('+6591234567', {action: 'playFile', params: {fileUrl}}, {action: 'hangup'}))
    expect(res.sessionStatus).to.equal('CREATED')
    return waitForSession({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}, res.sessionId!)
  }

  describe('playFile', () => {
    it('fetches a file on this machine and plays an mp3 or a wav', async () => {
      for (const name of ['hello.mp3', 'hello.wav']) {
        const t = await play(`${filesUrl}/${name}`)
        expect(t.sessionStatus, name).to.equal('COMPLETED')
        expect(t.events.some((e) => e.kind === 'play')).to.equal(true)
      }
    })

    it('ends the session with ERROR -2006 for a file on this machine that is missing, too big or not audio', async () => {
      const cases: Array<[string, RegExp]> = [
        ['missing.mp3', /HTTP 404/],
        ['big.mp3', /over the 5 MB limit/],
        ['page.mp3', /not an mp3 or wav file/],
      ]
      for (const [name, reason] of cases) {
        const t = await play(`${filesUrl}/${name}`)
        expect(t.sessionStatus, name).to.equal('ERROR')
        expect(t.summary!.errorDetails!.errorCode).to.equal(-2006)
        expect(t.summary!.errorDetails!.errorMsg).to.match(reason)
        expect(t.summary!.lastAction).to.equal('PLAY_FILE')
      }
    })

    it('judges a file elsewhere by its name: an .ogg fails with -2006, an .mp3 plays (not fetched)', async () => {
      const ogg = await play('https://cdn.example.com/greeting.ogg')
      expect(ogg.summary!.errorDetails).to.deep.include({errorCode: -2006})
      expect(ogg.summary!.errorDetails!.errorMsg).to.match(/\.ogg file; the platform plays mp3 and wav only/)
      expect((await play('https://cdn.example.com/greeting.mp3')).sessionStatus).to.equal('COMPLETED')
    })
  })

  describe('recordings', () => {
    it('a recorded call: GET recordings lists it, and a VRU webhook is told once it is pushed', async () => {
      await api.createWebhook({type: 'VRU', url: `${rx.url}/vru`, httpAuthHeader: 'Basic dnJ1'})
      await api.setRecordingPushConfig({protocol: 'sftp', host: 'files.example.com', username: 'u', password: 'p', path: '/rec'})
      const res = await api.sendCallflow({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567', callRecording: true}}, {action: 'say', params: {text: 'This call is recorded.', voiceProfile: VOICE}}, {action: 'hangup'}]})
      const t = await waitForSession({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}, res.sessionId!)
      const {recordings} = await api.getRecordings(res.sessionId!)
      expect(recordings).to.have.length(1)
      const rec = recordings[0]
      expect(rec).to.include({sessionid: res.sessionId, subAccountId: 'sandbox', status: 'pushed', startRecordingTime: t.summary!.details.callA.connectedTimestamp})
      expect(rec.duration).to.equal(t.summary!.details.callA.callDuration)
      expect(rec.externalFileUrl).to.equal(`sftp://files.example.com:22/rec/${rec.recordingId}.mp3`)
      const vru = rx.of('/vru')
      expect(vru).to.have.length(1)
      expect(vru[0].headers.authorization).to.equal('Basic dnJ1')
      expect(vru[0].body).to.include({namespace: 'VOICE', eventType: 'RECORDING_UPLOADED'})
      expect(vru[0].body.payload).to.include({recordingId: rec.recordingId, sessionId: res.sessionId, status: 'pushed', externalFileUrl: rec.externalFileUrl})
    })

    it('a call that is not answered has no recording and sends no VRU', async () => {
      await api.createWebhook({type: 'VRU', url: `${rx.url}/vru`})
      const res = await api.sendCallflow({callflow: [{action: 'makeCall', params: {source: '+6531591234', destination: '+12025550101', callRecording: true}}, {action: 'hangup'}]})
      await waitForSession({baseUrl: sb.baseUrl, apiKey: sb.apiKey, subAccountId: sb.subAccountId}, res.sessionId!)
      expect((await api.getRecordings(res.sessionId!)).recordings).to.deep.equal([])
      expect(rx.of('/vru')).to.deep.equal([])
    })

    it('`recordings config set --protocol s3` sends S3 as 8x8 spells it, and the sandbox keeps it', async () => {
      const body = buildPushConfig({configured: false, passwordSet: false}, {protocol: 's3', host: 'ap-southeast-2', port: 13, path: '/my-recordings/'}, 'secret')
      expect(body).to.include({protocol: 'S3', host: 'ap-southeast-2', port: 13})
      expect(await api.setRecordingPushConfig(body)).to.include({protocol: 'S3', host: 'ap-southeast-2', port: 13, passwordSet: true})
      const noPort = await api.setRecordingPushConfig({protocol: 'S3', host: 'ap-southeast-2'})
      expect(noPort.port).to.equal(undefined)
    })
  })
})
