import {readFile} from 'node:fs/promises'

/** What the fixes depend on: the OS, and whether Linux is really WSL (its clock drifts after sleep). */
export interface Platform {
  os: NodeJS.Platform
  wsl: boolean
}

export function isWsl(env: NodeJS.ProcessEnv, procVersion: string | undefined): boolean {
  return Boolean(env.WSL_DISTRO_NAME) || /microsoft/i.test(procVersion ?? '')
}

export async function detectPlatform(env: NodeJS.ProcessEnv, os: NodeJS.Platform = process.platform): Promise<Platform> {
  if (os !== 'linux') return {os, wsl: false}
  const procVersion = await readFile('/proc/version', 'utf8').catch(() => undefined)
  return {os, wsl: isWsl(env, procVersion)}
}
