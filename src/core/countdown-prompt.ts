import {createPrompt, isEnterKey, makeTheme, useEffect, useKeypress, usePrefix, useState} from '@inquirer/core'

import {formatDuration} from './time.js'

interface CountdownInputConfig {
  message: string
  /** Epoch ms the wait ends at: the message shows the time left, refreshed every second. */
  deadline: number
  validate: (value: string) => true | string
}

/**
 * A text prompt whose message counts down ("… 4m 58s left"), so a person waiting on a browser sees
 * how long the wait still runs. Built on @inquirer/core, like @inquirer/prompts' own input.
 */
export const countdownInput = createPrompt<string, CountdownInputConfig>((config, done) => {
  const theme = makeTheme({})
  const [status, setStatus] = useState<'idle' | 'done'>('idle')
  const [value, setValue] = useState('')
  const [error, setError] = useState<string | undefined>(undefined)
  const [now, setNow] = useState(Date.now())
  const prefix = usePrefix({status, theme})
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [])
  useKeypress((key, rl) => {
    if (status !== 'idle') return
    if (isEnterKey(key)) {
      const verdict = config.validate(value)
      if (verdict === true) {
        setStatus('done')
        done(value)
      } else {
        rl.write(value)
        setError(verdict)
      }
      return
    }
    setValue(rl.line)
    setError(undefined)
  })
  const left = formatDuration(Math.max(0, config.deadline - now))
  const message = theme.style.message(`${config.message} ${theme.style.help(`(${left} left, Ctrl-C to cancel)`)}`, status)
  return [`${prefix} ${message} ${value}`, error ? theme.style.error(error) : undefined]
})
