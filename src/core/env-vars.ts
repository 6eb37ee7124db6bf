/**
 * An empty FTAUTH_* variable counts as unset (`FTAUTH_ENV= ftauth status` is how scripts clear
 * one). Applied once at start-up on both paths, before anything reads the environment.
 */
export function dropEmptyFtauthVariables(env: NodeJS.ProcessEnv): void {
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('FTAUTH_') && value === '') delete env[name]
  }
}
