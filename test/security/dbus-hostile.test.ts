// Issue 16, "local attacker": the D-Bus client against a fake bus (a unix socket speaking raw
// bytes) that misbehaves as a hostile peer could. A reply counts only as a METHOD_RETURN/ERROR
// answering the call's serial from the peer the call went to; no message loops the reader, no
// message may be larger than the cap, and open() gives up on a silent bus.
import {mkdtemp, rm} from 'node:fs/promises'
import {createServer, type Server, type Socket} from 'node:net'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterEach, describe, expect, it} from 'vitest'

import {DbusConnection, MAX_MESSAGE_BYTES, splitSignature} from '../../src/core/keychain/dbus.js'

const BUS = 'org.freedesktop.DBus'
const align = (n: number, to: number) => n + ((to - (n % to)) % to)

interface Incoming {
  serial: number
  member: string
  destination: string
}

/** Minimal reader of the calls the client sends: serial, member, destination. */
function parseCalls(buffer: Buffer): {calls: Incoming[]; rest: Buffer} {
  const calls: Incoming[] = []
  let at = 0
  while (buffer.length - at >= 16) {
    const bodyLength = buffer.readUInt32LE(at + 4)
    const fieldsLength = buffer.readUInt32LE(at + 12)
    const size = align(16 + fieldsLength, 8) + bodyLength
    if (buffer.length - at < size) break
    const fields = new Map<number, string | number>()
    let pos = 16
    while (pos < 16 + fieldsLength) {
      pos = align(pos, 8)
      const code = buffer[at + pos]!
      const sigLength = buffer[at + pos + 1]!
      const sig = buffer.toString('ascii', at + pos + 2, at + pos + 2 + sigLength)
      pos += 3 + sigLength
      if (sig === 's' || sig === 'o') {
        pos = align(pos, 4)
        const length = buffer.readUInt32LE(at + pos)
        fields.set(code, buffer.toString('utf8', at + pos + 4, at + pos + 4 + length))
        pos += 5 + length
      } else if (sig === 'g') {
        const length = buffer[at + pos]!
        fields.set(code, buffer.toString('ascii', at + pos + 1, at + pos + 1 + length))
        pos += 2 + length
      } else if (sig === 'u') {
        pos = align(pos, 4)
        fields.set(code, buffer.readUInt32LE(at + pos))
        pos += 4
      }
    }
    calls.push({serial: buffer.readUInt32LE(at + 8), member: String(fields.get(3)), destination: String(fields.get(6))})
    at += size
  }
  return {calls, rest: buffer.subarray(at)}
}

/** Encodes one message as a bus would send it. */
function message(options: {type?: number; replySerial: number; sender?: string; signature?: string; body?: Buffer; bodyLengthOverride?: number}): Buffer {
  const parts: Buffer[] = []
  let length = 0
  const push = (buffer: Buffer) => {
    parts.push(buffer)
    length += buffer.length
  }
  const pad = (to: number) => push(Buffer.alloc((to - (length % to)) % to))
  const u32 = (value: number) => {
    const buffer = Buffer.alloc(4)
    buffer.writeUInt32LE(value)
    return buffer
  }
  const field = (code: number, sig: string, value: string | number) => {
    pad(8)
    push(Buffer.from([code, sig.length, ...Buffer.from(sig), 0]))
    if (sig === 'u') {
      pad(4)
      push(u32(value as number))
    } else if (sig === 'g') push(Buffer.concat([Buffer.from([String(value).length]), Buffer.from(String(value)), Buffer.alloc(1)]))
    else {
      pad(4)
      push(Buffer.concat([u32(Buffer.byteLength(String(value))), Buffer.from(String(value)), Buffer.alloc(1)]))
    }
  }
  const body = options.body ?? Buffer.alloc(0)
  push(Buffer.from([0x6c, options.type ?? 2, 0, 1]))
  push(u32(options.bodyLengthOverride ?? body.length))
  push(u32(1000 + options.replySerial))
  const lengthAt = parts.length
  push(u32(0))
  const fieldsStart = length
  field(5, 'u', options.replySerial)
  if (options.sender !== undefined) field(7, 's', options.sender)
  if (options.signature) field(8, 'g', options.signature)
  parts[lengthAt] = u32(length - fieldsStart)
  pad(8)
  return Buffer.concat([...parts, body])
}

const stringBody = (text: string) => Buffer.concat([Buffer.from(Uint32Array.of(Buffer.byteLength(text)).buffer), Buffer.from(text), Buffer.alloc(1)])

/**
 * A fake session bus on a unix socket: says OK to SASL, then hands every call to `answer`, which
 * writes whatever bytes it likes. Hello is answered properly unless `answer` handles it.
 */
async function fakeBus(answer: (call: Incoming, socket: Socket) => boolean | undefined, options: {silent?: boolean} = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'ftauth-fakebus-'))
  const path = join(dir, 'bus')
  const sockets: Socket[] = []
  const server: Server = createServer((socket) => {
    sockets.push(socket)
    let authed = false
    let buffer: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      if (options.silent) return
      buffer = Buffer.concat([buffer, chunk])
      if (!authed) {
        const text = buffer.toString('latin1')
        if (!text.includes('\r\n')) return
        if (text.includes('AUTH')) socket.write('OK 0123456789abcdef\r\n')
        const begin = text.indexOf('BEGIN\r\n')
        if (begin === -1) {
          buffer = Buffer.alloc(0)
          return
        }
        authed = true
        buffer = buffer.subarray(begin + 7)
      }
      const {calls, rest} = parseCalls(buffer)
      buffer = rest
      for (const call of calls) {
        if (answer(call, socket)) continue
        if (call.member === 'Hello') socket.write(message({replySerial: call.serial, sender: BUS, signature: 's', body: stringBody(':1.5')}))
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  return {
    address: `unix:path=${path}`,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, {recursive: true, force: true})
    },
  }
}

/** Settles within `ms` or fails the test: a hostile message must never hang the client. */
const within = <T>(promise: Promise<T>, ms = 3000) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms))])

let cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const step of cleanup) await step()
  cleanup = []
})

async function connected(answer: Parameters<typeof fakeBus>[0]) {
  const bus = await fakeBus(answer)
  const connection = await within(DbusConnection.open(bus.address, 2000))
  cleanup.push(async () => connection.close(), bus.close)
  return connection
}

const ping = (destination = BUS, replySignature?: string) =>
  ({destination, path: '/x', interface: 'x.Test', member: 'Ping', ...(replySignature === undefined ? {} : {replySignature})}) as const

describe('D-Bus replies are accepted only from the peer the call went to', () => {
  it('ignores a signal, a method call, a reply without sender and a reply from another peer carrying the serial; takes the real one', async () => {
    const connection = await connected((call, socket) => {
      if (call.member !== 'Ping') return false
      const forged = (type: number, sender?: string) =>
        message({type, replySerial: call.serial, ...(sender === undefined ? {} : {sender}), signature: 's', body: stringBody('forged')})
      socket.write(Buffer.concat([forged(4, BUS), forged(1, BUS), forged(2), forged(2, ':1.66'), forged(3, ':1.66')]))
      setTimeout(() => socket.write(message({replySerial: call.serial, sender: BUS, signature: 's', body: stringBody('real')})), 50)
      return true
    })
    expect(await within(connection.call(ping()))).toEqual(['real'])
  })

  it("a well-known name's reply must come from its owner, as the bus names it", async () => {
    const connection = await connected((call, socket) => {
      if (call.member === 'GetNameOwner') {
        socket.write(message({replySerial: call.serial, sender: BUS, signature: 's', body: stringBody(':1.7')}))
        return true
      }
      if (call.member !== 'Ping') return false
      socket.write(message({replySerial: call.serial, sender: ':1.8', signature: 's', body: stringBody('forged')}))
      setTimeout(() => socket.write(message({replySerial: call.serial, sender: ':1.7', signature: 's', body: stringBody('real')})), 50)
      return true
    })
    expect(await within(connection.call(ping('org.freedesktop.secrets')))).toEqual(['real'])
  })

  it('a reply with another body signature than the caller expects is refused', async () => {
    const connection = await connected((call, socket) => {
      if (call.member !== 'Ping') return false
      socket.write(message({replySerial: call.serial, sender: BUS, signature: 'u', body: Buffer.from(Uint32Array.of(7).buffer)}))
      return true
    })
    await expect(within(connection.call(ping(BUS, 'ao')))).rejects.toThrow(/signature "u", expected "ao"/)
  })
})

describe('hostile messages end the connection instead of looping or eating memory', () => {
  it('an array of empty structs (signature a()) is refused, not read for ever', async () => {
    expect(() => splitSignature('a()')).toThrow(/bad D-Bus signature/)
    expect(() => splitSignature('(){}')).toThrow(/bad D-Bus signature/)
    const connection = await connected((call, socket) => {
      if (call.member !== 'Ping') return false
      socket.write(
        message({replySerial: call.serial, sender: BUS, signature: 'a()', body: Buffer.concat([Buffer.from(Uint32Array.of(16).buffer), Buffer.alloc(20)])}),
      )
      return true
    })
    await expect(within(connection.call(ping()))).rejects.toThrow(/bad D-Bus signature/)
  })

  it('a message declaring more than the size cap is refused at once', async () => {
    for (const declared of [MAX_MESSAGE_BYTES + 1, 0x7fffffff, 0xffffffff]) {
      const connection = await connected((call, socket) => {
        if (call.member !== 'Ping') return false
        socket.write(message({replySerial: call.serial, sender: BUS, signature: 's', body: stringBody('x'), bodyLengthOverride: declared}))
        return true
      })
      await expect(within(connection.call(ping()))).rejects.toThrow(/over the .*limit/)
    }
  })

  it('variants nested without end are refused, not a stack overflow', async () => {
    const depth = 200
    const body = Buffer.concat([...Array.from({length: depth}, () => Buffer.from([1, 0x76, 0])), Buffer.from([1, 0x79, 0, 7])])
    const connection = await connected((call, socket) => {
      if (call.member !== 'Ping') return false
      socket.write(message({replySerial: call.serial, sender: BUS, signature: 'v', body}))
      return true
    })
    await expect(within(connection.call(ping()))).rejects.toThrow(/nests too deep/)
  })
})

describe('open() on a bus that never completes the handshake', () => {
  it('gives up after its timeout (silent bus, and a bus that authenticates but never answers Hello)', async () => {
    const silent = await fakeBus(() => undefined, {silent: true})
    cleanup.push(silent.close)
    const started = Date.now()
    await expect(within(DbusConnection.open(silent.address, 300))).rejects.toThrow(/did not complete the handshake within 300 ms/)
    expect(Date.now() - started).toBeLessThan(2000)
    const mute = await fakeBus((call) => call.member === 'Hello')
    cleanup.push(mute.close)
    await expect(within(DbusConnection.open(mute.address, 300))).rejects.toThrow(/did not complete the handshake/)
  })
})
