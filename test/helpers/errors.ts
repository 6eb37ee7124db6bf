import {FtauthError} from '../../src/core/errors.js'

/** Awaits a promise that must fail with an FtauthError, and returns that error. */
export async function failure(promise: Promise<unknown>): Promise<FtauthError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof FtauthError) return error
    throw error
  }
  throw new Error('expected an FtauthError, got success')
}
