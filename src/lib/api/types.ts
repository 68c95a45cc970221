/** Request and response shapes of the 14 operations (../shared/reference/8x8-voice-v1.openapi.json). */
import type {CallflowRequest} from '../callflow/types.js'

export type WebhookType = 'VCA' | 'VSS' | 'VCS' | 'VRU' | 'VNU'
export const WEBHOOK_TYPES: readonly WebhookType[] = ['VCA', 'VSS', 'VCS', 'VRU', 'VNU']

export interface StatusFields {
  statusCode?: number
  statusMessage?: string
}

export interface SendCallflowResponse extends StatusFields {
  sessionId?: string
  sessionStatus: 'CREATED' | 'NOT_CREATED' | string
  callFlowRequestId?: string
  validUntil?: string
}

export interface SpeechProfile {
  speechProfileCode: string
  localeCode: string
  localeDescription: string
  gender: string
}
export interface SpeechProfilesResponse extends StatusFields {
  speechProfiles: SpeechProfile[]
}

export interface Webhook {
  type: WebhookType | string
  url: string
  enabled: boolean
  httpAuthHeaderAvailable?: boolean
}
export interface WebhooksResponse extends StatusFields {
  subAccountId?: string
  count?: number
  webhooks: Webhook[]
}
export interface CreateWebhookRequest {
  type: WebhookType
  url: string
  httpAuthHeader?: string
  enabled?: boolean
}
export type DeleteWebhookResponse = Partial<Webhook> & StatusFields

export interface RecordingPushConfig extends StatusFields {
  subAccountId?: string
  protocol?: string
  host?: string
  port?: number
  username?: string
  passwordSet?: boolean
  path?: string
}
export interface RecordingPushConfigRequest {
  protocol: string
  host: string
  port?: number
  username?: string
  password?: string
  path?: string
}
export interface Recording {
  recordingId: string
  sessionid?: string
  subAccountId?: string
  status: string
  externalFileUrl?: string
  duration?: number
  startRecordingTime?: string
}
export interface RecordingsResponse extends StatusFields {
  recordings: Recording[]
}

export interface VirtualNumber {
  msisdn: string
  countryCode: string
  operationalStatus: string
  referenceId: string
  rentalPrice?: number
  incomingRate?: number
  billingUnit?: number
  billingCurrency?: string
  numberType?: string
  numberHealthCheckEnabled?: boolean
  numberHealth?: {isHealthy?: boolean; status?: string; lastCheckedTime?: string}
  dateCreated?: string
  dateUpdated?: string
  uri?: string
}
export interface NumbersResponse {
  totalNumbers: number
  lastUpdatedAt?: string
  numbers: VirtualNumber[]
}
export interface NumberCheckResponse extends StatusFields {
  timestamp?: string
  payload?: {referenceId?: string; msisdn?: string; countryCode?: string}
}

export interface LogExportRequest {
  from?: string
  to?: string
  limit?: number
}
export type LogExportStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'empty' | 'error'
export interface LogExportJob {
  status: LogExportStatus
  data?: string[]
  expires?: string
}

export type {CallflowRequest}
