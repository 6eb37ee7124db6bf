import {describe, expect, it} from 'vitest'

import {renderError, toFtauthError} from '../../src/core/command-run.js'
import {ExitCode, usageError} from '../../src/core/errors.js'
import {Output} from '../../src/core/output.js'

describe('one way errors become an exit code and a line', () => {
  it('maps oclif parse errors (known by name) to exit 2 with the values redacted', () => {
    class NonExistentFlagsError extends Error {}
    const error = toFtauthError(new NonExistentFlagsError('Nonexistent flag: --client-secret=sk_live_0123456789abcdef\nSee more help with --help'), 'login')
    expect(error.exitCode).toBe(ExitCode.usage)
    expect(error.line).not.toContain('0123456789abcdef')
    expect(error.line).toContain('see `ftauth login --help`')
  })

  it('maps Ctrl-C at a prompt to exit 2, and anything unknown to exit 1 with a way on', () => {
    const cancelled = Object.assign(new Error('User force closed the prompt with SIGINT'), {name: 'ExitPromptError'})
    expect(toFtauthError(cancelled, 'fluz:token')).toMatchObject({exitCode: ExitCode.usage, message: 'cancelled at the prompt'})
    const unexpected = toFtauthError(new TypeError('x is undefined'), 'status')
    expect(unexpected.exitCode).toBe(ExitCode.unexpected)
    expect(unexpected.line).toMatch(/^unexpected error: x is undefined — rerun with --debug/)
  })

  it('renders one stderr line, and the JSON error document with --json, secrets masked', () => {
    const stdout: string[] = []
    const stderr: string[] = []
    const out = new Output({stdout: {write: (chunk: string) => stdout.push(chunk)}, stderr: {write: (chunk: string) => stderr.push(chunk)}}, 'json', {
      colorOut: false,
      colorErr: false,
    })
    const write = process.stdout.write
    process.stdout.write = ((chunk: string) => {
      stdout.push(chunk)
      return true
    }) as typeof process.stdout.write
    try {
      const code = renderError(usageError('bad value s3cr3t-value-123', 'try again'), {
        id: 'status',
        out,
        json: true,
        debug: false,
        secrets: ['s3cr3t-value-123'],
      })
      expect(code).toBe(ExitCode.usage)
    } finally {
      process.stdout.write = write
    }
    expect(stderr.join('')).toMatch(/^error: bad value .* — try again\n$/)
    expect(stderr.join('') + stdout.join('')).not.toContain('s3cr3t-value-123')
    expect(JSON.parse(stdout.join(''))).toMatchObject({error: {hint: 'try again', exitCode: 2}})
  })
})
