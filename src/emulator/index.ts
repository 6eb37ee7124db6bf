// Public API of the local emulator of the Funtrips, Fluz and Shuttle APIs (`ftauth emulator`).
export {startEmulator} from './start.js'
export type {Emulator, EmulatorOptions, Fault, FaultKind, FluzEnv, FuntripsExchangePath, LoggedRequest} from './types.js'
export {DEMO, DEFAULT_EMULATOR_PORT, DEFAULT_SHUTTLE_REDIRECT, emulatorUrls, type EmulatorUrls} from '../local-demo/credentials.js'
export {runEmulatorCli, type RunEmulatorCliOptions, type RunEmulatorCliOutput} from './run.js'
