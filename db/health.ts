// Whether the database answers, for the pages and live-room events that must refuse at once while
// it does not (db/client.ts runs the health check).
export { DATABASE_UNAVAILABLE, connectionErrorSummary, databaseStatus, isConnectionError, isDatabaseDown } from './client'
