/** Reading a menu file from disk, checked: shared by serve, menu check/test/graph/start and send-callflow --menu. */
import {countBySeverity} from '../callflow/validate.js'
import {invalidInput} from '../errors.js'
import {checkMenuText, type CheckOptions} from './check.js'
import type {LoadedMenu, Menu} from './model.js'
import {readInputFile} from '../input-file.js'

/** The text of a menu file; an unreadable file is invalid input (exit 4). */
export async function readMenuSource(file: string): Promise<string> {
  return readInputFile(file, 'Give a menu file (YAML or JSON); see docs/menus.md.')
}

/** The text of a `menu test` scenarios file; an unreadable file is invalid input (exit 4), with a hint about that file, not the menu. */
export async function readScenariosSource(file: string): Promise<string> {
  return readInputFile(file, 'Give a scenarios file (YAML or JSON); see docs/menus.md, "Scenarios".')
}

/** Reads and checks a menu file. */
export async function checkMenuFile(file: string, opts: CheckOptions = {}): Promise<LoadedMenu> {
  return checkMenuText(await readMenuSource(file), file, opts)
}

/**
 * A menu ready to use, or an IvrError (exit 4) naming its first errors. For commands that use a
 * menu rather than check it (start, test, graph, send-callflow --menu).
 */
export async function loadMenuOrThrow(file: string, opts: CheckOptions = {}): Promise<{menu: Menu; loaded: LoadedMenu}> {
  const loaded = await checkMenuFile(file, {warnUnchecked: false, ...opts})
  const {errors} = countBySeverity(loaded.problems)
  if (!loaded.menu || errors > 0) {
    const first = loaded.problems.filter((p) => p.severity === 'error').slice(0, 3)
      .map((p) => `${file}${p.line === undefined ? '' : `:${p.line}:${p.column ?? 1}`} ${p.path} ${p.message}`)
    throw invalidInput(`${file} has ${errors} error${errors === 1 ? '' : 's'}:\n  ${first.join('\n  ')}`, [`Run \`ivr menu check ${file}\` for the full report.`], 'MENU_INVALID')
  }
  return {menu: loaded.menu, loaded}
}
