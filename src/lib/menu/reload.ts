/** A menu file for serving: loaded only when it passes the check, and watched for changes (`serve --watch`). */
import {watch} from 'node:fs'
import path from 'node:path'

import {countBySeverity, type Problem} from '../callflow/validate.js'
import {checkMenuFile} from './files.js'
import type {Menu} from './model.js'

export interface ServableMenu {
  /** The menu, when it has no errors. */
  menu?: Menu
  errors: Problem[]
  warnings: number
}

export async function loadServableMenu(file: string, knownProfiles?: ReadonlySet<string>): Promise<ServableMenu> {
  const loaded = await checkMenuFile(file, {knownProfiles, warnUnchecked: false})
  const {errors, warnings} = countBySeverity(loaded.problems)
  const errorList = loaded.problems.filter((p) => p.severity === 'error')
  return errors > 0 || !loaded.menu ? {errors: errorList, warnings} : {menu: loaded.menu, errors: [], warnings}
}

/**
 * Calls onChange (once per burst of changes) when the file changes. Editors replace files rather
 * than write them, so the folder is watched and events for other names are ignored.
 */
export function watchFile(file: string, onChange: () => void, debounceMs = 100): {close(): void} {
  const base = path.basename(file)
  let timer: NodeJS.Timeout | undefined
  const watcher = watch(path.dirname(path.resolve(file)), (_event, name) => {
    if (name !== null && name !== base) return
    clearTimeout(timer)
    timer = setTimeout(onChange, debounceMs)
  })
  return {
    close() {
      clearTimeout(timer)
      watcher.close()
    },
  }
}
