/**
 * The CLI's rendering of flow events (src/core/events.ts) onto an Output: human lines on stderr
 * for a person; with --json and -q only warnings, URLs the user must open and --trace lines.
 */
import type {FlowEvent, Reporter} from './events.js'
import type {Output} from './output.js'

export function renderEvents(out: Output): Reporter {
  return (event: FlowEvent) => {
    switch (event.type) {
      case 'step': {
        const {type: _type, ...step} = event
        out.step(step)
        return
      }
      case 'notice':
        out.info(event.text)
        return
      case 'warn':
        out.warn(event.text)
        return
      case 'url':
        out.err(`${event.lead}\n  ${event.url}`)
        return
      case 'http':
        out.err(out.e.dim(event.line))
        return
      case 'wait': {
        if (event.until.aborted) return
        const stop = out.countdown((left) => (left === undefined ? event.once : event.live.replace('{left}', left)), event.deadline)
        event.until.addEventListener('abort', stop, {once: true})
        return
      }
    }
  }
}
