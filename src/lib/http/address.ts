/** Listen addresses: which are this machine only, and the URL a local client uses to reach a server. */
import type {AddressInfo} from 'node:net'

/** Whether a listen address is this machine only (else anyone who can reach it can send requests). */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** The URL of a listening socket (`http://host:port`), IPv6 in brackets. */
export function urlOf(addr: AddressInfo): string {
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address
  return `http://${host}:${addr.port}`
}

/**
 * The URL that reaches a server listening on `listenUrl` from this machine: a wildcard address
 * (0.0.0.0, ::) is not one a client can use, so it becomes loopback.
 */
export function reachableUrl(listenUrl: string): string {
  return listenUrl.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://[::1]')
}
