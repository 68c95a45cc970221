import type {SpeechProfile, VirtualNumber, Webhook} from '../api/types.js'
import type {Colors} from './colors.js'
import {renderCsv} from './csv.js'
import {renderTable, type Column} from './table.js'

/** Renders rows as a table for people or as CSV for machines. */
export function renderRows<Row>(columns: Column<Row>[], rows: Row[], opts: {csv?: boolean; colors: Colors; width?: number}): string {
  return opts.csv ? renderCsv(columns, rows) : renderTable(columns, rows, {color: opts.colors.level > 0, bold: opts.colors.bold, width: opts.width})
}

export function numberColumns(c: Colors): Column<VirtualNumber>[] {
  return [
    {header: 'MSISDN', get: (n) => n.msisdn},
    {header: 'Country', get: (n) => n.countryCode},
    {header: 'Status', get: (n) => n.operationalStatus, style: (t) => (t === 'Active' ? c.green(t) : t === 'Inactive' ? c.red(t) : c.yellow(t))},
    {header: 'Health', get: (n) => (n.numberHealthCheckEnabled === false ? 'not checked' : n.numberHealth?.status ?? (n.numberHealth?.isHealthy === undefined ? '' : n.numberHealth.isHealthy ? 'healthy' : 'unhealthy'))},
    {header: 'Type', get: (n) => n.numberType},
    {header: 'Reference id', get: (n) => n.referenceId},
  ]
}

export function profileColumns(): Column<SpeechProfile>[] {
  return [
    {header: 'Code', get: (p) => p.speechProfileCode},
    {header: 'Locale', get: (p) => p.localeCode},
    {header: 'Description', get: (p) => p.localeDescription},
    {header: 'Gender', get: (p) => p.gender},
  ]
}

export function webhookColumns(c: Colors): Column<Webhook>[] {
  return [
    {header: 'Type', get: (w) => w.type},
    {header: 'URL', get: (w) => w.url},
    {header: 'Enabled', get: (w) => w.enabled, style: (t) => (t === 'yes' ? c.green(t) : c.yellow(t))},
    {header: 'Auth header', get: (w) => (w.httpAuthHeaderAvailable ? 'set' : 'none')},
  ]
}
