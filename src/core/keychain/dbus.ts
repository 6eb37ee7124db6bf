import {connect, type Socket} from 'node:net'

import {timerMs} from '../time.js'

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
    // An empty struct or dict entry is not a type (the spec forbids them), and reading an array of
    // them would never advance.
    if (signature[start + 1] === close) throw new Error(`bad D-Bus signature ${signature}`)
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
        for (const [i, field] of splitSignature(type.slice(1, -1)).entries()) this.write(field, values[i]!)
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

  /** Variants nest at most this deep (the spec's limit); deeper is a hostile message. */
  private depth = 0

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
        if (splitSignature(signature).length !== 1) throw new Error('D-Bus variant does not hold exactly one type')
        if (++this.depth > MAX_DEPTH) throw new Error('D-Bus message nests too deep')
        try {
          return {signature, value: this.read(signature)}
        } finally {
          this.depth--
        }
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
        while (this.offset < end) {
          const before = this.offset
          items.push(this.read(element))
          // Every element takes at least one byte; anything else would loop for ever.
          if (this.offset <= before) throw new Error('D-Bus array element of no size')
        }
        if (this.offset !== end) throw new Error('D-Bus array overruns its length')
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

/** Header field codes and their types: PATH, INTERFACE, MEMBER, ERROR_NAME, REPLY_SERIAL, DESTINATION, SENDER, SIGNATURE. */
const FIELD_TYPES: Record<number, string> = {1: 'o', 2: 's', 3: 's', 4: 's', 5: 'u', 6: 's', 7: 's', 8: 'g'}
/** The bus itself: it answers Hello and GetNameOwner, and is the sender of its own replies. */
const BUS = 'org.freedesktop.DBus'

const MessageType = {MethodCall: 1, MethodReturn: 2, Error: 3} as const

interface Message {
  type: number
  serial: number
  fields: Map<number, DbusValue>
  body: DbusValue[]
}

/**
 * The largest message accepted. Secret Service replies carry one secret (a few KB; chunked secrets
 * stay far below this); the spec allows 128 MiB, which a hostile peer could use to exhaust memory.
 */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024
const MAX_DEPTH = 32

/** One complete message from the front of `buffer`, or undefined when more bytes are needed. */
function parseMessage(buffer: Buffer): {message: Message; size: number} | undefined {
  if (buffer.length < 16) return undefined
  if (buffer[0] !== 0x6c) throw new Error('D-Bus: only little-endian peers are supported')
  const bodyLength = buffer.readUInt32LE(4)
  const fieldsLength = buffer.readUInt32LE(12)
  const headerEnd = 16 + fieldsLength + ((8 - ((16 + fieldsLength) % 8)) % 8)
  const size = headerEnd + bodyLength
  if (size > MAX_MESSAGE_BYTES) throw new Error(`D-Bus message of ${size} bytes is over the ${MAX_MESSAGE_BYTES}-byte limit`)
  if (buffer.length < size) return undefined
  const header = new Reader(buffer, 12, 0)
  const fields = new Map<number, DbusValue>()
  for (const [code, variant] of header.read('a(yv)') as [number, Variant][]) {
    // Header fields have fixed types (spec, "Header Fields"); a mistyped one is a broken peer.
    const expected = FIELD_TYPES[code]
    if (expected && variant.signature !== expected) throw new Error(`D-Bus header field ${code} has type ${variant.signature}, not ${expected}`)
    fields.set(code, variant.value)
  }
  const signature = (fields.get(8) as string | undefined) ?? ''
  const body = new Reader(buffer.subarray(0, size), headerEnd, headerEnd)
  const values = splitSignature(signature).map((type) => body.read(type))
  return {message: {type: buffer[1]!, serial: buffer.readUInt32LE(8), fields, body: values}, size}
}

function encodeCall(serial: number, call: MethodCall): Buffer {
  const signature = call.signature ?? ''
  const body = new Writer(0)
  for (const [i, type] of splitSignature(signature).entries()) body.write(type, call.args?.[i] as DbusValue)
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
  /** The reply body's signature the caller relies on; a reply with another is refused. */
  replySignature?: string
}

interface Waiter {
  resolve: (body: DbusValue[]) => void
  reject: (error: Error) => void
  /** Where the call went: only a reply from that peer is accepted. */
  destination: string
  /** The body signature the caller can use; any other reply is refused. */
  replySignature: string | undefined
}

/** A connection to a bus: authenticated, Hello said, ready for method calls. */
export class DbusConnection {
  private serial = 0
  private buffered = Buffer.alloc(0)
  private readonly pending = new Map<number, Waiter>()
  /** Unique names (":1.42") owning the well-known names calls went to, as the bus said. */
  private readonly owners = new Map<string, Promise<string | undefined>>()
  private failure: Error | undefined

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (error) => this.fail(error))
    socket.on('close', () => this.fail(new Error('the D-Bus connection closed')))
  }

  /**
   * Connects to the session bus at `address` (unix path, abstract or tcp), authenticates and says
   * Hello, all within `timeoutMs`: a bus that accepts and then says nothing must not hang the run.
   */
  static async open(address: string, timeoutMs = 5000): Promise<DbusConnection> {
    const target = parseAddress(address)
    if (!target) throw new Error(`unsupported D-Bus address ${address}`)
    const socket = connectTo(target)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        socket.destroy()
        reject(new Error(`the D-Bus bus at ${address} did not complete the handshake within ${timeoutMs} ms`))
      }, timerMs(timeoutMs))
    })
    try {
      return await Promise.race([
        (async () => {
          await authenticate(socket)
          const connection = new DbusConnection(socket)
          await connection.call({destination: BUS, path: '/org/freedesktop/DBus', interface: BUS, member: 'Hello', replySignature: 's'})
          return connection
        })(),
        timeout,
      ])
    } finally {
      clearTimeout(timer)
    }
  }

  call(call: MethodCall): Promise<DbusValue[]> {
    if (this.failure) return Promise.reject(this.failure)
    const serial = ++this.serial
    return new Promise((resolve, reject) => {
      this.pending.set(serial, {resolve, reject, destination: call.destination, replySignature: call.replySignature})
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
        this.dispatch(parsed.message)
      }
    } catch (error) {
      this.fail(error as Error)
      this.socket.destroy()
    }
  }

  /**
   * A reply settles its call only if it is a METHOD_RETURN or ERROR, answers that call's serial, and
   * comes from the peer the call went to (the bus sets SENDER; another client on the bus cannot
   * forge it). Anything else — signals, calls, strays, a reply from a third party — is ignored.
   */
  private dispatch(message: Message): void {
    if (message.type !== MessageType.MethodReturn && message.type !== MessageType.Error) return
    const replyTo = message.fields.get(5)
    if (typeof replyTo !== 'number') return
    const waiter = this.pending.get(replyTo)
    if (!waiter) return
    const sender = message.fields.get(7)
    if (typeof sender !== 'string') return
    const settle = () => {
      if (this.pending.get(replyTo) !== waiter) return
      this.pending.delete(replyTo)
      if (this.pending.size === 0) this.socket.unref()
      if (message.type === MessageType.Error) {
        waiter.reject(new DbusError(String(message.fields.get(4) ?? 'org.freedesktop.DBus.Error.Failed'), String(message.body[0] ?? '')))
        return
      }
      const signature = (message.fields.get(8) as string | undefined) ?? ''
      if (waiter.replySignature !== undefined && signature !== waiter.replySignature) {
        waiter.reject(new Error(`D-Bus reply has signature "${signature}", expected "${waiter.replySignature}"`))
        return
      }
      waiter.resolve(message.body)
    }
    const {destination} = waiter
    if (destination === BUS || destination.startsWith(':')) {
      if (sender === destination) settle()
      return
    }
    // A well-known name (org.freedesktop.secrets): its owner's unique name, asked of the bus once.
    void this.ownerOf(destination).then(async (owner) => {
      if (owner === sender) return settle()
      // The name may have changed hands (a restarted keyring): ask once more, then ignore the reply.
      this.owners.delete(destination)
      if ((await this.ownerOf(destination)) === sender) settle()
    })
  }

  private ownerOf(name: string): Promise<string | undefined> {
    let owner = this.owners.get(name)
    if (!owner) {
      owner = this.call({
        destination: BUS,
        path: '/org/freedesktop/DBus',
        interface: BUS,
        member: 'GetNameOwner',
        signature: 's',
        args: [name],
        replySignature: 's',
      }).then(
        ([unique]) => unique as string,
        () => undefined,
      )
      // Asked again next time if the name had no owner yet (the service may still be starting).
      void owner.then((unique) => unique === undefined && this.owners.delete(name))
      this.owners.set(name, owner)
    }
    return owner
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
    const onError = (error: Error) => {
      cleanup()
      reject(error)
    }
    const onClose = () => {
      cleanup()
      reject(new Error('the D-Bus bus closed the connection during authentication'))
    }
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
    const timer = setTimeout(
      () => finish({ok: false, reason: `the D-Bus session bus at ${address} did not answer within ${timeoutMs / 1000}s`}),
      timerMs(timeoutMs),
    )
    timer.unref()
    socket = connectTo(target)
    socket.once('connect', () => socket?.write(AUTH_EXTERNAL))
    socket.once('data', () => finish({ok: true}))
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ok: false, reason: `cannot connect to the D-Bus session bus at ${address} (${error.code ?? error.message})`}),
    )
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
