/** The one place the API's path scheme is written: every operation lives under the sub-account. */
export function subAccountPath(subAccountId: string, rest: string): string {
  return `api/v1/subaccounts/${encodeURIComponent(subAccountId)}/${rest}`
}

export function operationUrl(baseUrl: string, subAccountId: string, rest: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${subAccountPath(subAccountId, rest)}`
}
