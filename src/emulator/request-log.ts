// Request log: one entry per request at arrival (so hanging requests show up too);
// the status is filled in when the response goes out.
import type {LoggedRequest} from './types.js'

export interface RequestLog {
  add(entry: LoggedRequest): LoggedRequest
  all(): LoggedRequest[]
  clear(): void
}

export function createRequestLog(): RequestLog {
  let entries: LoggedRequest[] = []
  return {
    add(entry) {
      entries.push(entry)
      return entry
    },
    all: () => entries.map((e) => ({...e, query: {...e.query}, headers: {...e.headers}})),
    clear() {
      entries = []
    },
  }
}
