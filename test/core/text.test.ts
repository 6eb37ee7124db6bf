import {describe, expect, it} from 'vitest'

import {globalFlagsAfterCommand} from '../../src/core/leading-flags.js'
import {terminalColumns, visibleLength, wrapHanging, wrapVisible} from '../../src/core/text.js'

describe('wrapping to the terminal', () => {
  it('wraps at word boundaries, cuts a word longer than a line, and keeps a leading indent', () => {
    expect(wrapVisible('aaa bbb ccc ddd', 8)).toEqual(['aaa bbb', 'ccc ddd'])
    expect(wrapVisible('x'.repeat(20), 8, 8, true)).toEqual(['x'.repeat(8), 'x'.repeat(8), 'x'.repeat(4)])
    expect(wrapVisible(`see ${'x'.repeat(20)} now`, 8)).toEqual(['see', 'x'.repeat(20), 'now'])
    expect(wrapVisible('  label  value value', 14)).toEqual(['  label  value', 'value'])
    expect(wrapHanging('  key  one two three four', 17, 7)).toBe('  key  one two\n       three four')
  })

  it('counts colour codes as taking no room', () => {
    const red = '\u001B[31mred\u001B[39m'
    expect(visibleLength(red)).toBe(3)
    expect(wrapVisible(`${red} ${red} ${red}`, 8)).toEqual([`${red} ${red}`, red])
  })

  it('$COLUMNS first, then the terminal, then 80', () => {
    expect(terminalColumns({isTTY: true, columns: 120}, {COLUMNS: '100'})).toBe(100)
    expect(terminalColumns({isTTY: true, columns: 120}, {})).toBe(120)
    expect(terminalColumns({isTTY: false}, {COLUMNS: 'wide'})).toBe(80)
  })
})

describe('global flags before the command', () => {
  it('move after the command words, values and all', () => {
    expect(globalFlagsAfterCommand(['--env', 'local', 'session', 'create', '--headless'])).toEqual(['session', 'create', '--env', 'local', '--headless'])
    expect(globalFlagsAfterCommand(['--profile=ci', '-q', '--no-color', 'fluz', 'token'])).toEqual(['fluz', 'token', '--profile=ci', '-q', '--no-color'])
    expect(globalFlagsAfterCommand(['--json', 'token', 'inspect', '-'])).toEqual(['token', 'inspect', '--json', '-'])
  })

  it('leave anything else as it is', () => {
    expect(globalFlagsAfterCommand(['--version'])).toEqual(['--version'])
    expect(globalFlagsAfterCommand(['--env', 'local'])).toEqual(['--env', 'local'])
    expect(globalFlagsAfterCommand(['--env', 'local', '--headless', 'session'])).toEqual(['--env', 'local', '--headless', 'session'])
    expect(globalFlagsAfterCommand(['status', '--env', 'local'])).toEqual(['status', '--env', 'local'])
  })
})

describe('hanging indent', () => {
  it('moves a word too long for the indented column left until it fits', () => {
    const url = `http://127.0.0.1:1/${'x'.repeat(40)}`
    const lines = wrapHanging(`  a-long-label-here  ${url}`, 64, 21).split('\n')
    expect(lines).toEqual(['  a-long-label-here', ' '.repeat(64 - url.length) + url])
  })
})
