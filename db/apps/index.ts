export * from './registry'
export * from './authorisations'
export * from './api-reads'
export { APP_SCOPES, appScopes, isAppScope, type AppScope, type AppStatus } from '../access/apps'
