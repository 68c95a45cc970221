// The formula guard on export files (issue 11, defect 8): only formula-like cells change (one
// apostrophe each, inside the quotes when quoted), at every chunk boundary, in CSV and gzip alike.
import {expect} from 'chai'
import {promises as fs} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gunzipSync, gzipSync} from 'node:zlib'

import {CsvFormulaGuard, guardExportFile} from '../../../src/lib/logs/guard.js'

const INPUT = 'a,b,c\r\n=1+2,"=cmd|""x""",+6591234567\r\n-2+3+cmd|"/C calc"!A0,@SUM(1),\tfoo\r\n"\rbar", x,-5\r\n"multi\nline",=x,\r\n＝1+2,"  @x",-0.5\n'
const GUARDED = 'a,b,c\r\n\'=1+2,"\'=cmd|""x""",+6591234567\r\n\'-2+3+cmd|"/C calc"!A0,\'@SUM(1),\'\tfoo\r\n"\'\rbar", x,-5\r\n"multi\nline",\'=x,\r\n\'＝1+2,"\'  @x",-0.5\n'

async function guardInChunks(input: Buffer, size: number): Promise<{out: string; guarded: number}> {
  const g = new CsvFormulaGuard()
  const parts: Buffer[] = []
  g.on('data', (d: Buffer) => parts.push(d))
  const ended = new Promise((resolve) => g.on('end', resolve))
  for (let i = 0; i < input.length; i += size) g.write(input.subarray(i, i + size))
  g.end()
  await ended
  return {out: Buffer.concat(parts).toString('utf8'), guarded: g.guarded}
}

describe('logs: the formula guard on export files', () => {
  it('adds one apostrophe to each formula-like cell and changes no other byte, whatever the chunk size', async () => {
    for (const size of [1, 2, 3, 5, 8, 13, 4096]) {
      const {out, guarded} = await guardInChunks(Buffer.from(INPUT), size)
      expect(out, `chunks of ${size}`).to.equal(GUARDED)
      expect(guarded).to.equal(9)
    }
  })

  it('guards a gzip file inside and packs it again; a plain file as it is', async () => {
    const dir = await fs.mkdtemp(path.join(tmpdir(), 'ivr-guard-'))
    try {
      await fs.writeFile(path.join(dir, 'a.csv.gz.part'), gzipSync(INPUT))
      expect(await guardExportFile(path.join(dir, 'a.csv.gz.part'), path.join(dir, 'a.csv.gz'))).to.deep.equal({format: 'gzip', guarded: 9})
      expect(gunzipSync(await fs.readFile(path.join(dir, 'a.csv.gz'))).toString('utf8')).to.equal(GUARDED)
      await fs.writeFile(path.join(dir, 'b.part'), INPUT)
      expect(await guardExportFile(path.join(dir, 'b.part'), path.join(dir, 'b.csv'))).to.deep.equal({format: 'csv', guarded: 9})
      expect(await fs.readFile(path.join(dir, 'b.csv'), 'utf8')).to.equal(GUARDED)
      expect((await fs.stat(path.join(dir, 'b.csv'))).mode & 0o777).to.equal(0o600)
    } finally {
      await fs.rm(dir, {recursive: true, force: true})
    }
  })
})
