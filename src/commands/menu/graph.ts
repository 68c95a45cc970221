import path from 'node:path'

import {Args, Flags} from '@oclif/core'

import {IvrCommand} from '../../lib/base-command.js'
import {usageError} from '../../lib/errors.js'
import {writeFileAtomic} from '../../lib/fs-atomic.js'
import {checkMenuFile} from '../../lib/menu/files.js'
import {renderGraph, type GraphFormat} from '../../lib/menu/graph.js'

const FORMATS = ['svg', 'mermaid', 'dot'] as const
const BY_EXTENSION: Record<string, GraphFormat> = {'.svg': 'svg', '.mmd': 'mermaid', '.mermaid': 'mermaid', '.dot': 'dot', '.gv': 'dot'}

export default class MenuGraph extends IvrCommand<typeof MenuGraph> {
  static override summary = 'Draw a menu: SVG (no external tools needed), Mermaid or Graphviz DOT.'
  static override description = `Menus are rounded boxes (the entry node drawn bold) with the first words of their prompt; message nodes are plain boxes; hang-ups are octagons and transfers hexagons, each with the first words of what is said before. Edges are labelled with the keys pressed; invalid-input and no-input handlers are dashed, and handlers that only repeat the menu are noted inside the box instead of drawn as loops.

The format follows --format, else the --out file's extension (.svg, .mmd, .dot), else SVG.`
  static override examples = [
    '<%= config.bin %> menu graph examples/menus/restaurant.yaml --out restaurant.svg',
    '<%= config.bin %> menu graph examples/menus/restaurant.yaml --format mermaid',
    '<%= config.bin %> menu graph menu.yaml --format dot | dot -Tpng > menu.png',
  ]
  static override args = {
    menu: Args.string({description: 'The menu file (YAML or JSON).', required: true}),
  }
  static override flags = {
    format: Flags.string({char: 'f', summary: 'svg, mermaid or dot.', options: [...FORMATS]}),
    out: Flags.string({char: 'o', summary: 'Write to this file instead of stdout.'}),
  }

  async run(): Promise<{file?: string; format: GraphFormat; nodes: number; text?: string}> {
    const {menu: file} = this.args
    const {out} = this.flags
    const format = (this.flags.format as GraphFormat | undefined) ?? (out ? BY_EXTENSION[path.extname(out).toLowerCase()] : undefined) ?? 'svg'
    // A menu with errors can still be drawn (that is often how one finds them); say so.
    const loaded = await checkMenuFile(file, {warnUnchecked: false})
    if (!loaded.menu) throw usageError(`${file} cannot be read as a menu: ${loaded.problems[0]?.message ?? 'unknown problem'}.`, [`Run \`ivr menu check ${file}\`.`])
    const errors = loaded.problems.filter((p) => p.severity === 'error').length
    if (errors > 0) this.warnUser(`${file} has ${errors} error${errors === 1 ? '' : 's'} (see \`ivr menu check ${file}\`); drawing it anyway.`)
    const text = renderGraph(loaded.menu, format)
    if (out) {
      await writeFileAtomic(out, text, {mode: 0o644})
      this.status(`Wrote ${out} (${format}, ${loaded.menu.nodes.size} nodes)`)
      return {file: out, format, nodes: loaded.menu.nodes.size}
    }
    if (!this.jsonEnabled()) process.stdout.write(text)
    return {format, nodes: loaded.menu.nodes.size, text}
  }
}
