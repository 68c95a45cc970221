import {expect} from 'chai'

import {fitColumns, renderTable, type Column} from '../../../src/lib/render/table.js'

interface Row {id: string; status: string; from: string; note: string}

describe('tables fit the terminal', () => {
  const columns: Column<Row>[] = [
    {header: 'Session', get: (r) => r.id},
    {header: 'Status', get: (r) => r.status},
    {header: 'From', get: (r) => r.from},
    {header: 'Last action', get: (r) => r.note},
  ]
  const rows: Row[] = Array.from({length: 5}, (_, i) => ({
    id: `7f3a9c0e-21b4-4c5e-9d7a-00000000000${i}`, status: 'COMPLETED', from: '+65****8965',
    note: 'the callflow said goodbye after a long menu with many words in it, far too long for a terminal',
  }))

  it('never makes a line wider than the terminal, shortening the widest cells with …', () => {
    for (const width of [80, 60, 40]) {
      const lines = renderTable(columns, rows, {color: false, width}).split('\n')
      for (const l of lines) expect(l.length, `${width}: ${l}`).to.be.at.most(width)
      expect(lines).to.have.length(rows.length + 1)
    }
    const at80 = renderTable(columns, rows, {color: false, width: 80})
    expect(at80).to.contain('…').and.contain('COMPLETED').and.contain('Last action')
  })

  it('drops columns from the right when shortening is not enough', () => {
    const {keep} = fitColumns(['Session', 'Status', 'From', 'Last action'], [['x'.repeat(40), 'COMPLETED', '+65****8965', 'y'.repeat(40)]], 24)
    expect(keep).to.deep.equal([0, 1])
  })

  it('leaves a table alone when it fits, or when there is no terminal width', () => {
    const wide = renderTable(columns, rows, {color: false})
    expect(wide).not.to.contain('…')
    expect(wide.split('\n')[1]).to.contain('far too long for a terminal')
  })
})
