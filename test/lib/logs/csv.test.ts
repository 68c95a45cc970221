import {expect} from 'chai'

import {CsvReader} from '../../../src/lib/logs/csv.js'

/** Parses text fed in pieces of `size` characters. */
function parse(text: string, size = text.length, select?: number[]): string[][] {
  const rows: string[][] = []
  const reader = new CsvReader((f) => {
    rows.push([...f])
    if (select && rows.length === 1) reader.select(select)
  })
  for (let i = 0; i < text.length; i += size) reader.push(text.slice(i, i + size))
  reader.end()
  return rows
}

const tricky = 'a,b,c\r\n1,"x, ""quoted""\nsecond line",3\n\n4,,"6"\n7,8,9'

describe('logs CSV reader', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a missing final newline', () => {
    const want = [['a', 'b', 'c'], ['1', 'x, "quoted"\nsecond line', '3'], ['4', '', '6'], ['7', '8', '9']]
    expect(parse(tricky)).to.deep.equal(want)
    // The same whatever the chunk boundaries (every split point, quote pairs cut in half included).
    for (const size of [1, 2, 3, 5, 7, 11]) expect(parse(tricky, size), `chunks of ${size}`).to.deep.equal(want)
  })

  it('keeps only the selected columns on plain lines once told to', () => {
    const rows = parse('h1,h2,h3,h4\na,b,c,d\ne,f,g,h\n', 4, [1, 3])
    expect(rows[0]).to.deep.equal(['h1', 'h2', 'h3', 'h4'])
    expect(rows[1][1]).to.equal('b')
    expect(rows[1][3]).to.equal('d')
    expect(rows[1][0]).to.equal(undefined)
    expect(rows[2][3]).to.equal('h')
  })

  it('is lenient with a stray quote inside a field and an unterminated quote at the end', () => {
    expect(parse('a,b\n5" screen,x\n')).to.deep.equal([['a', 'b'], ['5" screen', 'x']])
    expect(parse('a,b\n1,"open')).to.deep.equal([['a', 'b'], ['1', 'open']])
  })
})
