import {createCipheriv, createDecipheriv, createPublicKey, randomBytes, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject} from 'node:crypto'

import {DbusConnection, type DbusValue, type Variant} from './dbus.js'

/**
 * The freedesktop Secret Service (GNOME Keyring, KeePassXC…) over our own D-Bus connection. The
 * native binding opens a new blocking connection and session for every entry and costs ~12 MiB of
 * peak RSS to load (docs/performance.md, "Keychain", measured by scripts/bench-keychain.mjs). Items are the binding's
 * own (attributes `service` and `username`, the binding's label), and secrets travel encrypted as
 * with libsecret: a dh-ietf1024-sha256-aes128-cbc-pkcs7 session.
 *
 * Only the plain cases are handled here — one unlocked item or none, an unlocked default
 * collection. Anything else (a locked collection that needs a prompt, several matching items, an
 * error) answers `undefined`, and the caller asks the binding, which prompts and words errors as
 * it always has.
 */
const BUS_NAME = 'org.freedesktop.secrets'
const SERVICE_PATH = '/org/freedesktop/secrets'
const SERVICE_INTERFACE = 'org.freedesktop.Secret.Service'
const ALGORITHM = 'dh-ietf1024-sha256-aes128-cbc-pkcs7'
const DEFAULT_COLLECTION = '/org/freedesktop/secrets/aliases/default'
/** "No prompt needed" in Secret Service replies. */
const NO_PROMPT = '/'

export type ReadOutcome = {found: true; value: string} | {found: false} | undefined

export class SecretServiceClient {
  private session: Promise<{path: string; key: Buffer}> | undefined

  private constructor(private readonly bus: DbusConnection) {}

  static async open(address: string, timeoutMs?: number): Promise<SecretServiceClient> {
    return new SecretServiceClient(await DbusConnection.open(address, timeoutMs))
  }

  /** The secret of the one item with these attributes; undefined: ask the binding. */
  async read(attributes: Record<string, string>): Promise<ReadOutcome> {
    const found = await this.search(attributes)
    if (found === 'none') return {found: false}
    if (found === undefined) return undefined
    const {path, key} = await this.openSession()
    const [secrets] = (await this.service('GetSecrets', 'aoo', [[found], path], 'a{o(oayays)}')) as [[string, DbusValue[]][]]
    const secret = secrets.find(([item]) => item === found)?.[1]
    if (!secret) return {found: false} // deleted between the search and the read
    const [, iv, ciphertext] = secret as [string, Buffer, Buffer, string]
    const decipher = createDecipheriv('aes-128-cbc', key, iv)
    return {found: true, value: Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8')}
  }

  /**
   * Sets the secret of the one item with these attributes, or creates it in the default collection
   * — as the binding does, so an item with extra attributes is updated, not duplicated. False: a
   * locked or ambiguous case, ask the binding.
   */
  async write(attributes: Record<string, string>, label: string, value: string): Promise<boolean> {
    const found = await this.search(attributes)
    if (found === undefined) return false
    const {path, key} = await this.openSession()
    const iv = randomBytes(16)
    const cipher = createCipheriv('aes-128-cbc', key, iv)
    const secret: DbusValue[] = [path, iv, Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]), 'text/plain']
    if (found !== 'none') {
      await this.bus.call({
        destination: BUS_NAME,
        path: found,
        interface: 'org.freedesktop.Secret.Item',
        member: 'SetSecret',
        signature: '(oayays)',
        args: [secret],
        replySignature: '',
      })
      return true
    }
    const properties: DbusValue[] = [
      ['org.freedesktop.Secret.Item.Label', {signature: 's', value: label}],
      ['org.freedesktop.Secret.Item.Attributes', {signature: 'a{ss}', value: Object.entries(attributes)}],
    ]
    const [, prompt] = await this.bus.call({
      destination: BUS_NAME,
      path: DEFAULT_COLLECTION,
      interface: 'org.freedesktop.Secret.Collection',
      member: 'CreateItem',
      signature: 'a{sv}(oayays)b',
      args: [properties, secret, true],
      replySignature: 'oo',
    })
    return prompt === NO_PROMPT
  }

  /**
   * The values of `attribute` (e.g. every `username`) of all items matching `attributes`: one
   * search, then the attributes of every item asked at once on the connection. Undefined when some
   * of them are locked (ask the binding, which can prompt).
   */
  async list(attributes: Record<string, string>, attribute: string): Promise<string[] | undefined> {
    const [unlocked, locked] = (await this.service('SearchItems', 'a{ss}', [Object.entries(attributes)], 'aoao')) as [string[], string[]]
    if (locked.length > 0) return undefined
    const values = await Promise.all(
      unlocked.map(async (item) => {
        const [variant] = (await this.bus.call({
          destination: BUS_NAME,
          path: item,
          interface: 'org.freedesktop.DBus.Properties',
          member: 'Get',
          signature: 'ss',
          args: ['org.freedesktop.Secret.Item', 'Attributes'],
          replySignature: 'v',
        })) as [Variant]
        if (variant.signature !== 'a{ss}') throw new Error(`an item's Attributes came as ${variant.signature}, not a{ss}`)
        return (variant.value as [string, string][]).find(([name]) => name === attribute)?.[1]
      }),
    )
    return values.filter((value): value is string => value !== undefined)
  }

  /** Deletes the one item with these attributes: true, or false when there was none; undefined: ask the binding. */
  async delete(attributes: Record<string, string>): Promise<boolean | undefined> {
    const found = await this.search(attributes)
    if (found === 'none') return false
    if (found === undefined) return undefined
    const [prompt] = await this.bus.call({destination: BUS_NAME, path: found, interface: 'org.freedesktop.Secret.Item', member: 'Delete', replySignature: 'o'})
    return prompt === NO_PROMPT ? true : undefined
  }

  close(): void {
    this.bus.close()
  }

  /** The one unlocked item with these attributes, 'none', or undefined (locked or ambiguous). */
  private async search(attributes: Record<string, string>): Promise<string | 'none' | undefined> {
    const [unlocked, locked] = (await this.service('SearchItems', 'a{ss}', [Object.entries(attributes)], 'aoao')) as [string[], string[]]
    if (unlocked.length === 0 && locked.length === 0) return 'none'
    return unlocked.length === 1 && locked.length === 0 ? unlocked[0] : undefined
  }

  private service(member: string, signature: string, args: DbusValue[], replySignature: string): Promise<DbusValue[]> {
    return this.bus.call({destination: BUS_NAME, path: SERVICE_PATH, interface: SERVICE_INTERFACE, member, signature, args, replySignature})
  }

  /** One transfer session per connection: DH over the 1024-bit IETF group, HKDF-SHA256 to an AES-128 key. */
  private openSession(): Promise<{path: string; key: Buffer}> {
    this.session ??= (async () => {
      // Key objects, not getDiffieHellman(): that one re-checks the group's primes (~60 ms).
      const ours = generateDhKeyPair('dh', {group: 'modp2'})
      const ourSpki = ours.publicKey.export({type: 'spki', format: 'der'})
      const [output, path] = (await this.service('OpenSession', 'sv', [ALGORITHM, {signature: 'ay', value: publicValueOf(ourSpki)}], 'vo')) as [Variant, string]
      if (output.signature !== 'ay') throw new Error(`OpenSession answered a ${output.signature} public value, not ay`)
      const shared = diffieHellman({privateKey: ours.privateKey, publicKey: peerKey(ourSpki, output.value as Buffer)})
      // libsecret pads the shared secret to the group's size before deriving the key.
      const padded = Buffer.concat([Buffer.alloc(Math.max(0, 128 - shared.length)), shared])
      const key = Buffer.from(hkdfSync('sha256', padded, Buffer.alloc(0), Buffer.alloc(0), 16))
      return {path, key}
    })()
    return this.session
  }
}

// Node has generated 'dh' key pairs from a named group since v15; @types/node 20 lacks the overload.
const generateDhKeyPair = generateKeyPairSync as unknown as (type: 'dh', options: {group: string}) => {publicKey: KeyObject; privateKey: KeyObject}

/*
 * The Secret Service exchanges bare big-endian public values; node's key objects speak DER
 * SubjectPublicKeyInfo. Ours is read out of our SPKI, the peer's is put into a copy of it.
 */
interface Tlv {
  start: number
  contentStart: number
  end: number
}

function readTlv(der: Buffer, offset: number): Tlv {
  const first = der[offset + 1]!
  if (first < 0x80) return {start: offset, contentStart: offset + 2, end: offset + 2 + first}
  const count = first & 0x7f
  let length = 0
  for (let i = 0; i < count; i++) length = length * 256 + der[offset + 2 + i]!
  return {start: offset, contentStart: offset + 2 + count, end: offset + 2 + count + length}
}

function encodeTlv(tag: number, content: Buffer): Buffer {
  const length = content.length
  const header = length < 0x80 ? [tag, length] : length < 0x100 ? [tag, 0x81, length] : [tag, 0x82, length >> 8, length & 0xff]
  return Buffer.concat([Buffer.from(header), content])
}

/** SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING { INTEGER y } } */
function spkiParts(spki: Buffer): {algorithm: Buffer; y: Buffer} {
  const outer = readTlv(spki, 0)
  const algorithm = readTlv(spki, outer.contentStart)
  const bits = readTlv(spki, algorithm.end)
  const integer = readTlv(spki, bits.contentStart + 1) // after the unused-bits byte
  return {algorithm: spki.subarray(algorithm.start, algorithm.end), y: spki.subarray(integer.contentStart, integer.end)}
}

function publicValueOf(spki: Buffer): Buffer {
  const {y} = spkiParts(spki)
  let start = 0
  while (start < y.length - 1 && y[start] === 0) start++
  return Buffer.from(y.subarray(start))
}

function peerKey(ourSpki: Buffer, value: Buffer): KeyObject {
  let start = 0
  while (start < value.length - 1 && value[start] === 0) start++
  const magnitude = value.subarray(start)
  const integer = magnitude[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude
  const bitString = encodeTlv(0x03, Buffer.concat([Buffer.from([0]), encodeTlv(0x02, integer)]))
  const spki = encodeTlv(0x30, Buffer.concat([spkiParts(ourSpki).algorithm, bitString]))
  return createPublicKey({key: spki, format: 'der', type: 'spki'})
}
