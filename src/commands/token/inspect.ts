import {oclifCommand} from '../../core/base-command.js'
import {tokenInspect} from '../../definitions/token.js'
import {TOKEN_REF_HELP} from '../../tokens/token-ref.js'

export default class TokenInspect extends oclifCommand(tokenInspect) {
  static override summary = 'Decode a token: claims, scopes, expiry, lifetime and which environment it belongs to'
  static override description = `TOKEN is ${TOKEN_REF_HELP}. The token itself is never printed unless --show.`
  static override examples = [
    '<%= config.bin %> token inspect fluz',
    'printf %s "$TOKEN" | <%= config.bin %> token inspect -',
    '<%= config.bin %> token inspect shuttle --verify --json',
  ]
}
