// Secret canary sweep, first pass: the canary secrets come from FTAUTH_* env variables.
import {describe} from 'vitest'

import {sweep} from './canary-sweep.js'

describe('canary sweep: secrets from FTAUTH_* env variables', {timeout: 120_000}, () => sweep('env'))
