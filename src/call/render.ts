import type {ChalkInstance} from 'chalk'

import {terminalSafe} from '../core/output.js'

/**
 * A response body for a terminal: JSON pretty-printed and coloured. Piped (pretty=false) it is
 * written byte-exact, so `ftauth call … > file` keeps what the server sent.
 */
export function renderBody(body: Buffer, contentType: string | undefined, options: {pretty: boolean; color: ChalkInstance}): string | Buffer {
  if (!options.pretty) return body
  const text = body.toString('utf8')
  if (!text) return ''
  if (contentType?.includes('json') || /^[[{]/.test(text.trim())) {
    try {
      return `${colorJson(JSON.stringify(JSON.parse(text), null, 2), options.color)}\n`
    } catch {
      // not JSON after all: print as text
    }
  }
  // On a terminal a body's control characters (CSI, OSC, BEL…) are shown escaped; --raw or a pipe gets the bytes.
  const safe = terminalSafe(text)
  return safe.endsWith('\n') ? safe : `${safe}\n`
}

function colorJson(json: string, c: ChalkInstance): string {
  return json.replace(
    /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
    (match, string: string | undefined, colon: string | undefined, literal: string | undefined, number: string | undefined) => {
      if (string) return colon ? `${c.blue(string)}${colon}` : c.green(string)
      if (literal) return c.magenta(literal)
      if (number) return c.yellow(number)
      return match
    },
  )
}
