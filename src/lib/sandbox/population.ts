/**
 * A callee population for campaign-scale runs: each destination without a script or a magic
 * number gets an outcome and key presses drawn from weighted mixes. The draw hashes the seed with
 * the number, so a number behaves the same on every call, in every run with the same seed, and
 * whatever order the calls come in.
 */
import {createHash} from 'node:crypto'

import {invalidInput} from '../errors.js'
import {isOutcome, normalizeNumber, OUTCOMES, type Outcome} from './magic.js'

export interface Population {
  /** Relative weights of how a destination answers, e.g. {answer: 70, busy: 10, 'no-answer': 15, failed: 5}. */
  outcomes?: Partial<Record<Outcome, number>>
  /**
   * Relative weights of what a destination presses: keys for each capture joined by `/`
   * (`1`, `12#`, `1/3`), or `none` for nothing, e.g. {'1': 60, '2': 30, none: 10}.
   */
  presses?: Record<string, number>
  /** Same seed, same behaviour per number (default 0). */
  seed?: number
}

/** What a population entry presses: `none` is nothing, else one entry per capture. */
export function pressesOfKey(key: string): string[] {
  return key === 'none' ? [] : key.split('/')
}

const PRESS_KEY = /^(none|[\d*#]+(\/[\d*#]*)*)$/

/**
 * Reads `name=weight,name=weight` (a flag's text) into weights; throws an Error saying what is
 * wrong. `what` names the flag in messages.
 */
export function parseWeights(text: string, what: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([^=\s]+)\s*=\s*([\d.]+)$/.exec(part)
    if (!m || !Number.isFinite(Number(m[2]))) throw new Error(`${what}: "${part}" is not name=weight (for example answer=70)`)
    if (m[1] in out) throw new Error(`${what}: "${m[1]}" appears twice`)
    out[m[1]] = Number(m[2])
  }
  return out
}

/** Why a population cannot be used, or undefined when it can. */
export function checkPopulation(p: Population): string | undefined {
  const check = (weights: Record<string, number> | undefined, what: string, keyOk: (k: string) => boolean, hint: string): string | undefined => {
    if (weights === undefined) return undefined
    const entries = Object.entries(weights)
    if (entries.length === 0) return `${what} is empty`
    for (const [k, w] of entries) {
      if (!keyOk(k)) return `${what}: "${k}" is not ${hint}`
      if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) return `${what}: the weight of "${k}" must be a number, 0 or more`
    }
    if (entries.every(([, w]) => w === 0)) return `${what}: the weights add up to 0`
    return undefined
  }
  if (p.seed !== undefined && !Number.isSafeInteger(p.seed)) return 'seed must be a whole number'
  return check(p.outcomes, 'population', isOutcome, `an outcome (${OUTCOMES.join(', ')})`)
    ?? check(p.presses, 'presses', (k) => PRESS_KEY.test(k), 'keys (0-9, * and #; captures separated by /) or none')
}

/** A fraction in [0, 1) from the seed, a salt and a number: uniform, stable, order-independent. */
function draw(seed: number, salt: string, number: string): number {
  const h = createHash('sha256').update(`${seed}\u0000${salt}\u0000${normalizeNumber(number)}`).digest()
  return h.readUIntBE(0, 6) / 2 ** 48
}

function pick<K extends string>(weights: Partial<Record<K, number>>, at: number): K {
  const entries = Object.entries(weights) as Array<[K, number]>
  const total = entries.reduce((s, [, w]) => s + w, 0)
  let acc = 0
  for (const [k, w] of entries) {
    acc += w / total
    if (at < acc) return k
  }
  // Rounding can leave `at` just above the last sum: the last entry with weight takes it.
  return entries.filter(([, w]) => w > 0).pop()![0]
}

/** The drawn behaviour of numbers; call checkPopulation first. */
export class PopulationDraw {
  private readonly seed: number
  constructor(private readonly p: Population) {
    this.seed = p.seed ?? 0
  }

  outcome(number: string): Outcome | undefined {
    return this.p.outcomes ? pick(this.p.outcomes, draw(this.seed, 'outcome', number)) : undefined
  }

  presses(number: string): string[] | undefined {
    return this.p.presses ? pressesOfKey(pick(this.p.presses, draw(this.seed, 'presses', number))) : undefined
  }
}

/** A population from flag texts (`answer=70,busy=10`, `1=60,none=10`, a seed); throws an Error saying what is wrong. */
export function populationFromText(t: {population?: string; presses?: string; seed?: number}): Population | undefined {
  if (t.population === undefined && t.presses === undefined) return undefined
  const p: Population = {
    ...(t.population === undefined ? {} : {outcomes: parseWeights(t.population, '--population')}),
    ...(t.presses === undefined ? {} : {presses: parseWeights(t.presses, '--presses')}),
    ...(t.seed === undefined ? {} : {seed: t.seed}),
  }
  const problem = checkPopulation(p)
  if (problem) throw new Error(problem.replace(/^(population|presses)\b/, '--$1'))
  return p
}

/** The population the flags describe (undefined: none given); bad text is invalid input (exit 4). */
export function populationOfFlags(f: {population?: string; presses?: string; seed?: number}): Population | undefined {
  try {
    return populationFromText({population: f.population, presses: f.presses, seed: f.seed})
  } catch (error) {
    throw invalidInput(`${(error as Error).message}.`, ['For example --population answer=70,busy=10,no-answer=15,failed=5 --presses 1=60,2=30,none=10'])
  }
}

/** The population as flag text, for the start banner. */
export function describePopulation(p: Population): string {
  const join = (w: Record<string, number>) => Object.entries(w).map(([k, v]) => `${k}=${v}`).join(',')
  return [p.outcomes && `answers ${join(p.outcomes as Record<string, number>)}`, p.presses && `presses ${join(p.presses)}`, `seed ${p.seed ?? 0}`].filter(Boolean).join('; ')
}
