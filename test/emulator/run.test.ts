import {afterEach, describe, expect, it} from 'vitest'
import {DEMO, runEmulatorCli, startEmulator, type Emulator} from '../../src/emulator/index.js'

function capture() {
  const stdout: string[] = []
  const stderr: string[] = []
  return {stdout, stderr, out: {stdout: (s: string) => stdout.push(s), stderr: (s: string) => stderr.push(s)}}
}

let running: Emulator | undefined
afterEach(async () => {
  await running?.close()
  running = undefined
})

describe('runEmulatorCli', () => {
  it('prints exactly one JSON line with every URL and credential', async () => {
    const c = capture()
    running = await runEmulatorCli({host: '127.0.0.1', port: 0, json: true, tokenTtl: 60}, c.out)
    expect(c.stdout).toHaveLength(1)
    expect(c.stderr).toEqual([])
    const line = c.stdout[0] ?? ''
    expect(line).not.toContain('\n')
    const info = JSON.parse(line) as {
      url: string
      urls: Record<string, string>
      credentials: typeof DEMO
      fluzEnv: string
      settings: {tokenTtlSeconds: number | null}
    }
    expect(info.url).toBe(running.url)
    expect(Object.keys(info.urls).sort()).toEqual(['admin', 'fluz', 'fluzProduction', 'fluzSandbox', 'funtrips', 'jwks', 'shuttleApi', 'shuttleAuth'])
    expect(info.credentials).toEqual(JSON.parse(JSON.stringify(DEMO)))
    expect(info.fluzEnv).toBe('sandbox')
    expect(info.settings.tokenTtlSeconds).toBe(60)
    const ping = await fetch(info.urls.fluz ?? '', {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({query: '{ marco }'}),
    })
    expect(await ping.json()).toEqual({data: {marco: 'polo'}})
  })

  it('prints a readable block with the URLs and demo credentials', async () => {
    const c = capture()
    running = await runEmulatorCli({host: '127.0.0.1', port: 0, json: false, fluzEnv: 'production', autoApprove: true}, c.out)
    const text = c.stdout.join('\n')
    for (const s of [
      running.url,
      `${running.url}/funtrips`,
      `${running.url}/fluz/api/v1/graphql  (production)`,
      `${running.url}/shuttle/c/api`,
      DEMO.funtrips.clientId,
      DEMO.funtrips.clientSecret,
      DEMO.fluz.apiKey,
      DEMO.fluz.userId,
      DEMO.fluz.accountId,
      DEMO.fluz.seatId,
      DEMO.shuttle.clientId,
      DEMO.shuttle.clientSecret,
      'auto-approved',
    ]) {
      expect(text).toContain(s)
    }
    const auto = await fetch(
      `${running.url}/shuttle/authorize?response_type=code&client_id=${DEMO.shuttle.clientId}&redirect_url=http://127.0.0.1:8765/callback`,
      {
        redirect: 'manual',
      },
    )
    expect(auto.status).toBe(302)
  })

  it('warns on stderr when not bound to loopback only', async () => {
    const c = capture()
    running = await runEmulatorCli({host: '0.0.0.0', port: 0, json: true}, c.out)
    expect(c.stderr.join('')).toMatch(/not loopback/)
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('explains a busy port (first sentence before the colon, original error as cause)', async () => {
    const busy = await startEmulator()
    try {
      const port = Number(new URL(busy.url).port)
      const err = await runEmulatorCli({host: '127.0.0.1', port, json: false}, capture().out).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(Error)
      expect((err as Error).message.split(':')[0]).toBe(`Port ${port} on 127.0.0.1 is already in use`)
      expect(((err as Error).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE')
    } finally {
      await busy.close()
    }
  })

  it('explains an address that is not local', async () => {
    const err = await runEmulatorCli({host: '192.0.2.1', port: 0, json: false}, capture().out).catch((e: unknown) => e)
    expect((err as Error).message).toMatch(/^Cannot listen on port 0 on 192\.0\.2\.1 \(no such local address\)/)
  })
})
