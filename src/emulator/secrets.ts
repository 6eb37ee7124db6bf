// Mints opaque secrets (codes, refresh tokens) and remembers every secret the emulator
// hands out, so leak tests can sweep output and files for them.
import {randomBytes} from 'node:crypto'

export interface SecretIssuer {
  /** `<prefix>_<marker>_<hex>`; the marker part only when a secretMarker is set. */
  opaque(prefix: string, bytes?: number): string
  record(secret: string): void
  all(): string[]
}

export function createSecretIssuer(marker: string | undefined): SecretIssuer {
  const issued: string[] = []
  return {
    opaque(prefix, bytes = 16) {
      const parts = [prefix, marker, randomBytes(bytes).toString('hex')].filter((p) => p !== undefined && p !== '')
      const secret = parts.join('_')
      issued.push(secret)
      return secret
    },
    record(secret) {
      issued.push(secret)
    },
    all: () => [...issued],
  }
}

/** Random identifier that is not a secret (resource ids, user ids). */
export function randomId(prefix: string, bytes = 8): string {
  return `${prefix}_${randomBytes(bytes).toString('hex')}`
}
