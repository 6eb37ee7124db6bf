import {flag} from '../../core/flag-spec.js'

/** Who the token is for; checked as UUIDs before any request. Flags > FTAUTH_FLUZ_* > profile. */
export const fluzIdFlags = {
  'user-id': flag.string({description: 'Fluz user id (UUID; env FTAUTH_FLUZ_USER_ID, else the profile)'}),
  'account-id': flag.string({description: 'Fluz account id (UUID; env FTAUTH_FLUZ_ACCOUNT_ID, else the profile)'}),
  'seat-id': flag.string({description: 'Fluz seat id (UUID, optional; else the profile)'}),
}

/** `--scopes A,B` and/or repeated `--scope A`. */
export const fluzScopeFlags = {
  scopes: flag.string({description: 'comma-separated scopes, e.g. LIST_OFFERS,PURCHASE_GIFTCARD (see `ftauth fluz scopes`)'}),
  scope: flag.string({description: 'one scope; repeat for more', multiple: true}),
}

export const tokenDisplayFlags = {
  show: flag.boolean({description: 'print the access token itself in human output (-q and --json always carry it)'}),
  'show-refresh': flag.boolean({description: 'also print the refresh token (it is kept in the keychain either way)'}),
}

export interface FluzIdFlagValues {
  'user-id'?: string | undefined
  'account-id'?: string | undefined
  'seat-id'?: string | undefined
}

export const idsFromFlags = (flags: FluzIdFlagValues) => ({
  userId: flags['user-id'],
  accountId: flags['account-id'],
  seatId: flags['seat-id'],
})
