// Shared by the bench scripts: the emulator as its own process, exactly as a user starts it.
import {spawn} from 'node:child_process'

/** Starts `ftauth emulator --port 0 --json` from `bin`; resolves with its URL and a stop(). */
export function startEmulatorProcess(bin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'emulator', '--port', '0', '--json'], {stdio: ['ignore', 'pipe', 'inherit']})
    let buffer = ''
    child.stdout.on('data', (chunk) => {
      buffer += chunk
      if (!buffer.includes('\n')) return
      const {url} = JSON.parse(buffer.split('\n')[0])
      const stop = () =>
        new Promise((done) => {
          child.once('exit', done)
          child.kill('SIGINT')
        })
      resolve({url, stop})
    })
    child.once('exit', (code) => reject(new Error(`emulator exited (${code})`)))
  })
}
