import {connect, type Socket} from 'node:net'

/**
 * Checks that the D-Bus session bus answers before the keyring binding touches it. The binding
 * connects synchronously, so a bus that accepts connections but never answers would block the
 * main thread for good — no timeout could fire and the process could not even exit. This does the
 * first step of the D-Bus handshake (SASL AUTH, see the D-Bus spec) asynchronously, with a timeout:
 * any reply means the bus is alive.
 */
export async function probeSessionBus(address: string | undefined, timeoutMs: number): Promise<{ok: true} | {ok: false; reason: string}> {
  if (!address) return {ok: false, reason: 'DBUS_SESSION_BUS_ADDRESS is not set (no D-Bus session, e.g. over SSH or in a container)'}
  const target = parseAddress(address)
  if (!target) return {ok: true} // an address form we do not speak (launchd, nonce-tcp…): let the binding try
  return new Promise((resolve) => {
    let settled = false
    let socket: Socket | undefined
    const finish = (result: {ok: true} | {ok: false; reason: string}) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket?.destroy()
      resolve(result)
    }
    const timer = setTimeout(() => finish({ok: false, reason: `the D-Bus session bus at ${address} did not answer within ${timeoutMs / 1000}s`}), timeoutMs)
    timer.unref()
    socket = 'path' in target ? connect({path: target.path}) : connect({host: target.host, port: target.port})
    socket.once('connect', () => {
      const uid = typeof process.getuid === 'function' ? String(process.getuid()) : '0'
      socket?.write(`\0AUTH EXTERNAL ${Buffer.from(uid).toString('hex')}\r\n`)
    })
    socket.once('data', () => finish({ok: true}))
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ok: false, reason: `cannot connect to the D-Bus session bus at ${address} (${error.code ?? error.message})`}))
    socket.once('close', () => finish({ok: false, reason: `the D-Bus session bus at ${address} closed the connection`}))
  })
}

/** The first usable transport of a D-Bus address list: `unix:path=`, `unix:abstract=`, or `tcp:host=,port=`. */
export function parseAddress(address: string): {path: string} | {host: string; port: number} | undefined {
  for (const transport of address.split(';')) {
    const colon = transport.indexOf(':')
    const kind = transport.slice(0, colon)
    const params = new Map(
      transport
        .slice(colon + 1)
        .split(',')
        .map((pair) => pair.split('=') as [string, string])
        .map(([key, value]) => [key, decodeURIComponent(value ?? '')]),
    )
    if (kind === 'unix' && params.get('path')) return {path: params.get('path')!}
    // Linux abstract sockets are addressed with a leading NUL.
    if (kind === 'unix' && params.get('abstract')) return {path: `\0${params.get('abstract')}`}
    if (kind === 'tcp' && params.get('host') && params.get('port')) return {host: params.get('host')!, port: Number(params.get('port'))}
  }
  return undefined
}
