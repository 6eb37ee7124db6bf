import {connect, type Socket} from 'node:net'

/**
 * Just enough of the D-Bus wire protocol (https://dbus.freedesktop.org/doc/dbus-specification.html)
 * to call methods on the session bus from JavaScript: SASL EXTERNAL, little-endian marshalling of
 * the basic and container types, method calls and their replies. Signals and unix fds are not
 * needed and not spoken. Used by secret-service.ts for keychain access, which through the native
 * binding costs a new blocking connection per entry, and by keychain.ts to probe the bus before
 * that binding is touched.
 */

/** A variant on the wire: its signature and value. */
export interface Variant {
  signature: string
  value: DbusValue
}
/** Arrays are arrays, structs are arrays, dicts are arrays of [key, value], `ay` is a Buffer. */
export type DbusValue = string | number | bigint | boolean | Buffer | Variant | DbusValue[]

export class DbusError extends Error {
  constructor(
    readonly errorName: string,
    message: string,
  ) {
    super(`${errorName}: ${message}`)
    this.name = 'DbusError'
  }
}

/** Fixed-width types: their size (which is also their alignment), and how to read and write one. */
const FIXED: Record<string, {size: number; read(buffer: Buffer, at: number): DbusValue; write(buffer: Buffer, value: DbusValue): void}> = {
  y: {size: 1, read: (b, at) => b.readUInt8(at), write: (b, v) => b.writeUInt8(Number(v))},
  b: {size: 4, read: (b, at) => b.readUInt32LE(at) !== 0, write: (b, v) => b.writeUInt32LE(v ? 1 : 0)},
  n: {size: 2, read: (b, at) => b.readInt16LE(at), write: (b, v) => b.writeInt16LE(Number(v))},
  q: {size: 2, read: (b, at) => b.readUInt16LE(at), write: (b, v) => b.writeUInt16LE(Number(v))},
  i: {size: 4, read: (b, at) => b.readInt32LE(at), write: (b, v) => b.writeInt32LE(Number(v))},
  u: {size: 4, read: (b, at) => b.readUInt32LE(at), write: (b, v) => b.writeUInt32LE(Number(v))},
  h: {size: 4, read: (b, at) => b.readUInt32LE(at), write: (b, v) => b.writeUInt32LE(Number(v))},
  x: {size: 8, read: (b, at) => b.readBigInt64LE(at), write: (b, v) => b.writeBigInt64LE(BigInt(v as bigint))},
  t: {size: 8, read: (b, at) => b.readBigUInt64LE(at), write: (b, v) => b.writeBigUInt64LE(BigInt(v as bigint))},
  d: {size: 8, read: (b, at) => b.readDoubleLE(at), write: (b, v) => b.writeDoubleLE(Number(v))},
}

const ALIGN: Record<string, number> = {
  ...Object.fromEntries(Object.entries(FIXED).map(([type, {size}]) => [type, size])),
  s: 4,
  o: 4,
  g: 1,
  a: 4,
  '(': 8,
  '{': 8,
  v: 1,
}

/** Splits a signature into its complete types: "sa{sv}(ii)" → ["s", "a{sv}", "(ii)"]. */
export function splitSignature(signature: string): string[] {
  const types: string[] = []
  let i = 0
  while (i < signature.length) {
    const end = completeTypeEnd(signature, i)
    types.push(signature.slice(i, end))
    i = end
  }
  return types
}

function completeTypeEnd(signature: string, start: number): number {
  const c = signature[start]
  if (c === 'a') return completeTypeEnd(signature, start + 1)
  if (c === '(' || c === '{') {
    const close = c === '(' ? ')' : '}'
    let i = start + 1
    while (signature[i] !== close) {
      if (i >= signature.length) throw new Error(`bad D-Bus signature ${signature}`)
      i = completeTypeEnd(signature, i)
    }
    return i + 1
  }
  if (c === undefined || !(c in ALIGN)) throw new Error(`bad D-Bus signature ${signature}`)
  return start + 1
}

class Writer {
  private chunks: Buffer[] = []
  length = 0

  constructor(private readonly base = 0) {}

  private push(buffer: Buffer): void {
    this.chunks.push(buffer)
    this.length += buffer.length
  }

  align(n: number): void {
    const pad = (n - ((this.base + this.length) % n)) % n
    if (pad) this.push(Buffer.alloc(pad))
  }

  write(type: string, value: DbusValue): void {
    const c = type[0]!
    this.align(ALIGN[c]!)
    const fixed = FIXED[c]
    if (fixed) {
      const buffer = Buffer.alloc(fixed.size)
      fixed.write(buffer, value)
      this.push(buffer)
      return
    }
    switch (c) {
      case 's':
      case 'o': {
        const text = Buffer.from(String(value), 'utf8')
        const length = Buffer.alloc(4)
        length.writeUInt32LE(text.length)
        this.push(Buffer.concat([length, text, Buffer.alloc(1)]))
        return
      }
      case 'g': {
        const text = Buffer.from(String(value), 'ascii')
        this.push(Buffer.concat([Buffer.from([text.length]), text, Buffer.alloc(1)]))
        return
      }
      case 'v': {
        const variant = value as Variant
        this.write('g', variant.signature)
        this.write(variant.signature, variant.value)
        return
      }
      case 'a': {
        const element = type.slice(1)
        // The byte length of the elements comes first; filled in once they are written.
        const length = Buffer.alloc(4)
        this.push(length)
        this.align(ALIGN[element[0]!]!)
        const start = this.length
        if (element === 'y') this.push(value as Buffer)
        else for (const item of value as DbusValue[]) this.write(element, item)
        length.writeUInt32LE(this.length - start)
        return
      }
      case '(':
      case '{': {
        const values = value as DbusValue[]
        splitSignature(type.slice(1, -1)).forEach((field, i) => this.write(field, values[i]!))
        return
      }
      default:
        throw new Error(`ftauth's D-Bus writer does not speak type ${type}`)
    }
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.chunks)
  }
}

class Reader {
  offset: number

  constructor(
    private readonly buffer: Buffer,
    start: number,
    /** Alignment is counted from the start of the message. */
    private readonly base: number,
  ) {
    this.offset = start
  }

  align(n: number): void {
    const position = this.offset - this.base
    this.offset += (n - (position % n)) % n
  }

  private need(n: number): void {
    if (this.offset + n > this.buffer.length) throw new Error('D-Bus message ends early')
  }

  read(type: string): DbusValue {
    const c = type[0]!
    this.align(ALIGN[c] ?? 1)
    const fixed = FIXED[c]
    if (fixed) {
      this.need(fixed.size)
      const value = fixed.read(this.buffer, this.offset)
      this.offset += fixed.size
      return value
    }
    switch (c) {
      case 's':
      case 'o': {
        this.need(4)
        const length = this.buffer.readUInt32LE(this.offset)
        this.offset += 4
        this.need(length + 1)
        const text = this.buffer.toString('utf8', this.offset, this.offset + length)
        this.offset += length + 1
        return text
      }
      case 'g': {
        this.need(1)
        const length = this.buffer[this.offset++]!
        this.need(length + 1)
        const text = this.buffer.toString('ascii', this.offset, this.offset + length)
        this.offset += length + 1
        return text
      }
      case 'v': {
        const signature = this.read('g') as string
        return {signature, value: this.read(signature)}
      }
      case 'a': {
        this.need(4)
        const length = this.buffer.readUInt32LE(this.offset)
        this.offset += 4
        const element = type.slice(1)
        this.align(ALIGN[element[0]!]!)
        const end = this.offset + length
        this.need(length)
        if (element === 'y') {
          const bytes = Buffer.from(this.buffer.subarray(this.offset, end))
          this.offset = end
          return bytes
        }
        const items: DbusValue[] = []
        while (this.offset < end) items.push(this.read(element))
        return items
      }
      case '(':
      case '{':
        return splitSignature(type.slice(1, -1)).map((field) => this.read(field))
      default:
        throw new Error(`ftauth's D-Bus reader does not speak type ${type}`)
    }
  }
}

const enum MessageType {
  MethodCall = 1,
  MethodReturn = 2,
  Error = 3,
}

interface Message {
  type: number
  serial: number
  fields: Map<number, DbusValue>
  body: DbusValue[]
}

/** One complete message from the front of `buffer`, or undefined when more bytes are needed. */
function parseMessage(buffer: Buffer): {message: Message; size: number} | undefined {
  if (buffer.length < 16) return undefined
  if (buffer[0] !== 0x6c) throw new Error('D-Bus: only little-endian peers are supported')
  const bodyLength = buffer.readUInt32LE(4)
  const fieldsLength = buffer.readUInt32LE(12)
  const headerEnd = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8)
  const size = headerEnd + bodyLength
  if (buffer.length < size) return undefined
  const header = new Reader(buffer, 12, 0)
  const fields = new Map<number, DbusValue>()
  for (const [code, variant] of header.read('a(yv)') as [number, Variant][]) fields.set(code, variant.value)
  const signature = (fields.get(8) as string | undefined) ?? ''
  const body = new Reader(buffer.subarray(0, size), headerEnd, headerEnd)
  const values = splitSignature(signature).map((type) => body.read(type))
  return {message: {type: buffer[1]!, serial: buffer.readUInt32LE(8), fields, body: values}, size}
}

function encodeCall(serial: number, call: MethodCall): Buffer {
  const signature = call.signature ?? ''
  const body = new Writer(0)
  splitSignature(signature).forEach((type, i) => body.write(type, call.args?.[i] as DbusValue))
  const bodyBuffer = body.toBuffer()
  const fields: DbusValue[] = [
    [1, {signature: 'o', value: call.path}],
    [3, {signature: 's', value: call.member}],
    [6, {signature: 's', value: call.destination}],
  ]
  if (call.interface) fields.push([2, {signature: 's', value: call.interface}])
  if (signature) fields.push([8, {signature: 'g', value: signature}])
  const header = new Writer(0)
  header.write('y', 0x6c)
  header.write('y', MessageType.MethodCall)
  header.write('y', 0)
  header.write('y', 1)
  header.write('u', bodyBuffer.length)
  header.write('u', serial)
  header.write('a(yv)', fields)
  header.align(8)
  return Buffer.concat([header.toBuffer(), bodyBuffer])
}

export interface MethodCall {
  destination: string
  path: string
  interface?: string
  member: string
  signature?: string
  args?: DbusValue[]
}

/** A connection to a bus: authenticated, Hello said, ready for method calls. */
export class DbusConnection {
  private serial = 0
  private buffered = Buffer.alloc(0)
  private readonly pending = new Map<number, {resolve: (body: DbusValue[]) => void; reject: (error: Error) => void}>()
  private failure: Error | undefined

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (error) => this.fail(error))
    socket.on('close', () => this.fail(new Error('the D-Bus connection closed')))
  }

  /** Connects to the session bus at `address` (unix path, abstract or tcp). */
  static async open(address: string): Promise<DbusConnection> {
    const target = parseAddress(address)
    if (!target) throw new Error(`unsupported D-Bus address ${address}`)
    const socket = connectTo(target)
    await authenticate(socket)
    const connection = new DbusConnection(socket)
    await connection.call({destination: 'org.freedesktop.DBus', path: '/org/freedesktop/DBus', interface: 'org.freedesktop.DBus', member: 'Hello'})
    return connection
  }

  call(call: MethodCall): Promise<DbusValue[]> {
    if (this.failure) return Promise.reject(this.failure)
    const serial = ++this.serial
    return new Promise((resolve, reject) => {
      this.pending.set(serial, {resolve, reject})
      // Hold the process open only while a reply is awaited: an idle connection must not keep a
      // finished command (or a test worker) alive.
      this.socket.ref()
      this.socket.write(encodeCall(serial, call))
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk])
    try {
      for (let parsed = parseMessage(this.buffered); parsed; parsed = parseMessage(this.buffered)) {
        this.buffered = this.buffered.subarray(parsed.size)
        const {message} = parsed
        const replyTo = message.fields.get(5) as number | undefined
        const waiter = replyTo === undefined ? undefined : this.pending.get(replyTo)
        if (!waiter || replyTo === undefined) continue // signals and strays
        this.pending.delete(replyTo)
        if (this.pending.size === 0) this.socket.unref()
        if (message.type === MessageType.Error) {
          waiter.reject(new DbusError(String(message.fields.get(4) ?? 'org.freedesktop.DBus.Error.Failed'), String(message.body[0] ?? '')))
        } else {
          waiter.resolve(message.body)
        }
      }
    } catch (error) {
      this.fail(error as Error)
      this.socket.destroy()
    }
  }

  private fail(error: Error): void {
    this.failure ??= error
    for (const waiter of this.pending.values()) waiter.reject(this.failure)
    this.pending.clear()
  }
}

/** SASL EXTERNAL with our uid, then BEGIN (the D-Bus spec's "Authentication Protocol"). */
function authenticate(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let reply = ''
    const cleanup = () => {
      socket.off('data', onData)
      socket.off('error', onError)
      socket.off('close', onClose)
    }
    const onError = (error: Error) => (cleanup(), reject(error))
    const onClose = () => (cleanup(), reject(new Error('the D-Bus bus closed the connection during authentication')))
    const onData = (chunk: Buffer) => {
      reply += chunk.toString('latin1')
      if (!reply.includes('\r\n')) return
      cleanup()
      if (!reply.startsWith('OK ')) return reject(new Error(`the D-Bus bus refused authentication (${reply.trim()})`))
      socket.write('BEGIN\r\n')
      resolve()
    }
    socket.on('data', onData)
    socket.once('error', onError)
    socket.once('close', onClose)
    socket.once('connect', () => socket.write(AUTH_EXTERNAL))
  })
}

/** The first line of the handshake: a NUL, then SASL EXTERNAL with our uid in hex. */
const AUTH_EXTERNAL = `\0AUTH EXTERNAL ${Buffer.from(typeof process.getuid === 'function' ? String(process.getuid()) : '0').toString('hex')}\r\n`

type BusTarget = {path: string} | {host: string; port: number}

function connectTo(target: BusTarget): Socket {
  return 'path' in target ? connect({path: target.path}) : connect({host: target.host, port: target.port})
}

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
    socket = connectTo(target)
    socket.once('connect', () => socket?.write(AUTH_EXTERNAL))
    socket.once('data', () => finish({ok: true}))
    socket.once('error', (error: NodeJS.ErrnoException) => finish({ok: false, reason: `cannot connect to the D-Bus session bus at ${address} (${error.code ?? error.message})`}))
    socket.once('close', () => finish({ok: false, reason: `the D-Bus session bus at ${address} closed the connection`}))
  })
}

/** The first usable transport of a D-Bus address list: `unix:path=`, `unix:abstract=`, or `tcp:host=,port=`. */
export function parseAddress(address: string): BusTarget | undefined {
  for (const transport of address.split(';')) {
    const colon = transport.indexOf(':')
    const kind = transport.slice(0, colon)
    const params = new Map(
      transport
        .slice(colon + 1)
        .split(',')
        .map((pair) => pair.split('=') as [string, string])
        .map(([key, value]) => [key, decodeAddressValue(value ?? '')]),
    )
    if (kind === 'unix' && params.get('path')) return {path: params.get('path')!}
    // Linux abstract sockets are addressed with a leading NUL.
    if (kind === 'unix' && params.get('abstract')) return {path: `\0${params.get('abstract')}`}
    if (kind === 'tcp' && params.get('host') && params.get('port')) return {host: params.get('host')!, port: Number(params.get('port'))}
  }
  return undefined
}

/** D-Bus escapes address values with %XX; a malformed escape makes the address unusable, not an error. */
function decodeAddressValue(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return ''
  }
}
