// The callflow validator on one core (targets: >= 10,000 typical 4-action callflows/s; a
// 5,000-action file in < 50 ms), each beside JSON.parse of the same input, measured in this run.
// Run: node --import tsx bench/validator.ts
import {parseCallflowText, locateProblems} from '../src/lib/callflow/load.js'
import {validateCallflow, type ValidateOptions} from '../src/lib/callflow/validate.js'

const VOICES = ['en-US-BenjaminRUS', 'en-US-ZiraRUS', 'en-IE-EmilyNeural', 'en-GB-Emma', 'en-US-Neural2-C', 'en-US-Standard-A', 'da-DK-Naja']
const OPTS: ValidateOptions = {context: 'request', now: new Date(), knownProfiles: new Set(VOICES), vcaWebhookRegistered: true}

/** A typical outbound IVR: call, greet, ask for a digit, say goodbye. Each one to a different number. */
function typical(i: number): string {
  const voice = VOICES[i % VOICES.length]
  return JSON.stringify({
    validUntil: new Date(Date.now() + 3_600_000).toISOString(),
    clientRequestId: `bench-${i}`,
    callflow: [
      {action: 'makeCall', params: {source: '+6531591234', destination: `+659${String(1_000_000 + i).slice(-7)}`}},
      {action: 'say', params: {text: `Hello, this is a reminder about your appointment number ${i} tomorrow at nine.`, voiceProfile: voice, repetition: 1, speed: 1}},
      {action: 'sayAndCapture', params: {promptMessage: 'Press 1 to confirm, or 2 to speak to someone.', voiceProfile: voice, minDigits: 1, maxDigits: 1, digitTimeout: 10_000, overallTimeout: 10_000, completeOnHash: false, noOfTries: 2}},
      {action: 'say', params: {text: 'Thank you, goodbye.', voiceProfile: voice}},
    ],
  })
}

function large(n: number): string {
  const flow: unknown[] = [{action: 'makeCall', params: {source: '+6531591234', destination: '+6591234567'}}]
  for (let i = 1; i < n - 1; i++) {
    const voice = VOICES[i % VOICES.length]
    if (i % 3 === 0) flow.push({action: 'playFile', params: {fileUrl: `https://cdn.example.com/audio/part-${i}.mp3`, repetition: 1}})
    else if (i % 3 === 1) flow.push({action: 'say', params: {text: `Part ${i} of the message, read slowly and clearly.`, voiceProfile: voice, speed: 0.9}})
    else flow.push({action: 'sayAndCapture', params: {promptMessage: `Question ${i}: press 1 for yes, 2 for no.`, voiceProfile: voice, minDigits: 1, maxDigits: 1, digitTimeout: 5000, overallTimeout: 5000, completeOnHash: false, noOfTries: 1}})
  }
  flow.push({action: 'say', params: {text: 'Goodbye.', voiceProfile: VOICES[0]}})
  return JSON.stringify({callflow: flow}, null, 2)
}

/** Operations per second of `fn` over `items`, cycling for about `ms`. */
function rate<T>(items: T[], fn: (x: T) => unknown, ms = 1000): number {
  for (let i = 0; i < Math.min(items.length, 2000); i++) fn(items[i]) // warm up the JIT
  let n = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    for (let k = 0; k < 500; k++) fn(items[(n + k) % items.length])
    n += 500
    now = performance.now()
  }
  return n / ((now - start) / 1000)
}

function medianMs(fn: () => unknown, runs = 21): number {
  fn()
  const xs: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    fn()
    xs.push(performance.now() - t)
  }
  xs.sort((a, b) => a - b)
  return xs[(runs - 1) / 2]
}

// 20,000 distinct callflows and destinations: more than the number-check memo holds, so it is not flattered.
const texts = Array.from({length: 20_000}, (_, i) => typical(i))
const docs = texts.map((t) => JSON.parse(t) as unknown)
const bad = validateCallflow(docs[0], OPTS)
if (bad.length > 0) throw new Error(`the typical callflow should be clean: ${JSON.stringify(bad)}`)

const validated = rate(docs, (d) => validateCallflow(d, OPTS))
const parsed = rate(texts, (t) => JSON.parse(t))
console.log(`validator: 4-action callflows/s  ${Math.round(validated)}  (baseline JSON.parse  ${Math.round(parsed)}/s, ratio ${(validated / parsed).toFixed(2)}; target >= 10000/s)`)

const bigText = large(5000)
const bigDoc = JSON.parse(bigText) as unknown
const bigProblems = validateCallflow(bigDoc, OPTS)
if (bigProblems.some((p) => p.severity === 'error')) throw new Error(`the large callflow should have no error: ${JSON.stringify(bigProblems[0])}`)
const bigValidate = medianMs(() => validateCallflow(bigDoc, OPTS))
const bigParse = medianMs(() => JSON.parse(bigText))
console.log(`validator: 5000-action file  ${bigValidate.toFixed(1)} ms  (baseline JSON.parse ${bigParse.toFixed(1)} ms, ratio ${(bigValidate / bigParse).toFixed(2)}; target < 50 ms)`)
// What `callflow validate` does with that file: parse (JSON or YAML detection, BOM, syntax check) and validate.
const bigWhole = medianMs(() => {
  const doc = parseCallflowText(bigText, 'big.json')
  return locateProblems(validateCallflow(doc.value, OPTS), doc)
}, 11)
console.log(`validator: 5000-action file read from text and validated  ${bigWhole.toFixed(1)} ms  (ratio to JSON.parse ${(bigWhole / bigParse).toFixed(2)})`)
