/** Test helper: XML well-formedness without an XML library. */

/**
 * A strict-enough XML well-formedness check: one root, tags balanced and properly nested,
 * attributes quoted and unique, and only the five predefined entities or character references.
 */
export function checkWellFormed(text: string): void {
  const stack: string[] = []
  let roots = 0
  const body = text.replace(/^<\?xml[^>]*\?>\s*/, '')
  const re = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[A-Za-z_:][\w:.-]*="[^"<]*")*)\s*(\/?)>|<!--[\s\S]*?-->|([^<]+)|(<)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(body)) !== null) {
    if (m[6]) throw new Error(`stray < at ${m.index}: ${body.slice(m.index, m.index + 40)}`)
    const textPart = m[5]
    if (textPart !== undefined) {
      if (stack.length === 0 && textPart.trim() !== '') throw new Error('text outside the root element')
      const bad = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.exec(textPart)
      if (bad) throw new Error(`bad entity at ${m.index + bad.index}`)
      continue
    }
    if (m[2] === undefined) continue
    const [, closing, name, attrs, selfClosing] = m
    const names = [...attrs.matchAll(/([A-Za-z_:][\w:.-]*)=/g)].map((a) => a[1])
    if (new Set(names).size !== names.length) throw new Error(`duplicate attribute in <${name}>`)
    if (/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(attrs)) throw new Error(`bad entity in <${name}>`)
    if (closing) {
      const open = stack.pop()
      if (open !== name) throw new Error(`</${name}> closes <${open}>`)
    } else {
      if (stack.length === 0) roots++
      if (!selfClosing) stack.push(name)
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`)
  if (roots !== 1) throw new Error(`${roots} root elements`)
}
