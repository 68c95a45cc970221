export const DEFAULT_BASE_URL = 'https://voice.8x8.com'
