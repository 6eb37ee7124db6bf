// The emulator clock: real time plus an offset that tests move with advanceClock(),
// so expiry can be tested without sleeping.
export interface Clock {
  nowMs(): number
  nowSeconds(): number
  advance(seconds: number): void
  offsetSeconds(): number
}

export function createClock(): Clock {
  let offsetMs = 0
  return {
    nowMs: () => Date.now() + offsetMs,
    nowSeconds: () => Math.floor((Date.now() + offsetMs) / 1000),
    advance(seconds: number) {
      if (!Number.isFinite(seconds)) throw new TypeError('advanceClock: seconds must be a finite number')
      offsetMs += Math.round(seconds * 1000)
    },
    offsetSeconds: () => offsetMs / 1000,
  }
}
