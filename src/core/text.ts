import {stripVTControlCharacters} from 'node:util'

/** Width a human line must fit: $COLUMNS, else the terminal's own width, else 80. */
export function terminalColumns(stream: {isTTY?: boolean; columns?: number}, env: NodeJS.ProcessEnv): number {
  const fromEnv = Number.parseInt(env.COLUMNS ?? '', 10)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv
  if (stream.isTTY && typeof stream.columns === 'number' && stream.columns > 0) return stream.columns
  return 80
}

/** Length as the terminal shows it (colour codes take no room). */
export function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length
}

export function padVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)))
}

/**
 * Word-wraps text (colour codes kept) into lines of at most `width` visible characters (`nextWidth`
 * after the first). A word longer than a line (a URL, a path, a token) gets a line of its own and
 * stays whole, so it can still be copied, unless `cut` asks to break it where the line ends.
 */
export function wrapVisible(text: string, width: number, nextWidth = width, cut = false): string[] {
  // Leading spaces are an indent, not separators: keep them on the first line.
  const indent = /^ */.exec(text)![0]
  if (indent) {
    const [first = '', ...rest] = wrapVisible(text.slice(indent.length), width - indent.length, nextWidth, cut)
    return [indent + first, ...rest]
  }
  const lines: string[] = []
  const limitOf = () => Math.max(8, lines.length === 0 ? width : nextWidth)
  let line = ''
  let lineLength = 0
  for (const word of text.split(' ')) {
    const length = visibleLength(word)
    const needed = lineLength === 0 ? length : lineLength + 1 + length
    if (needed <= limitOf()) {
      line = lineLength === 0 && line === '' ? word : `${line} ${word}`
      lineLength = needed
      continue
    }
    let rest = word
    // A word that fits no line is cut anyway: start it on this line rather than leave the line short.
    const room = limitOf() - lineLength - 1
    if (cut && lineLength > 0 && length > Math.max(8, nextWidth) && room >= 8) {
      const [head, tail] = splitVisible(rest, room)
      line = `${line} ${head}`
      rest = tail
    }
    if (lineLength > 0) lines.push(line.trimEnd())
    line = ''
    lineLength = 0
    while (cut && visibleLength(rest) > limitOf()) {
      const [head, tail] = splitVisible(rest, limitOf())
      lines.push(head)
      rest = tail
    }
    line = rest
    lineLength = visibleLength(rest)
  }
  lines.push(line)
  return lines
}

/** Splits after `count` visible characters, keeping escape sequences whole. */
function splitVisible(text: string, count: number): [string, string] {
  // eslint-disable-next-line no-control-regex
  const pattern = /\u001B\[[0-9;]*m/y
  let seen = 0
  let index = 0
  while (index < text.length && seen < count) {
    pattern.lastIndex = index
    const sgr = pattern.exec(text)
    if (sgr) {
      index += sgr[0].length
      continue
    }
    const codePoint = text.codePointAt(index)!
    index += codePoint > 0xffff ? 2 : 1
    seen += 1
  }
  return [text.slice(0, index), text.slice(index)]
}

/** Wraps with a hanging indent: continuation lines start with `indent` spaces. */
export function wrapHanging(text: string, width: number, indent: number, cut = false): string {
  const [first = '', ...rest] = wrapVisible(text, width, width - indent, cut)
  // A word too long for the indented column (a URL) moves left as far as it needs to fit.
  const indented = (line: string) => ' '.repeat(Math.max(0, Math.min(indent, width - visibleLength(line)))) + line
  return [first, ...rest.map(indented)].join('\n')
}
