/** What the validator reports: one problem of a callflow, and the options of a check. */
export type Severity = 'error' | 'warning'

export interface Problem {
  /** The platform's status code (-1001 … -1017) this problem would draw, where one exists. */
  code?: number
  /** JSON path in the platform's form: `$.callflow[1].params.text`. */
  path: string
  message: string
  severity: Severity
  /** 1-based, filled in by the loader when the callflow came from a file. */
  line?: number
  column?: number
  /** What to do about it, when the message alone does not say. */
  hint?: string
  /** A warning that a check could not be made (no profile list, webhook not asked). */
  unchecked?: boolean
}

export interface ValidateOptions {
  /** A Send Callflow request (first action must be makeCall, -1013) or a VCA webhook answer. */
  context: 'request' | 'vca'
  /** For validUntil (-1015); defaults to the current time. */
  now?: Date
  /** Voice profile codes; when absent, a warning that voices were not checked. */
  knownProfiles?: ReadonlySet<string>
  /** false with a sayAndCapture present: -1004; undefined: a warning that it was not checked. */
  vcaWebhookRegistered?: boolean
  /** The sub-account's virtual numbers, digits only: a makeCall source not among them gets a -1014 warning. */
  accountNumbers?: ReadonlySet<string>
  /** false: no warnings about checks that could not be made (voices, webhook), e.g. just before the platform makes them. Default true. */
  warnUnchecked?: boolean
}
