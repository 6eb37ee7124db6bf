import {oclifCommand} from '../../core/base-command.js'
import {sessionExchange} from '../../definitions/session.js'

export default class SessionExchange extends oclifCommand(sessionExchange) {
  static override summary = 'Exchange a Funtrips session code for a public bearer'
  static override description =
    'Sends the one-time code with the client credentials (and the stored PKCE code_verifier when the code was made with --pkce) ' +
    'and stores the public bearer in the keychain as the profile\'s current Funtrips bearer for `ftauth call`. ' +
    'The code is read from the argument, or from stdin when the argument is `-` or absent. A code is never sent twice.'
  static override examples = [
    '<%= config.bin %> session create --headless -q | <%= config.bin %> session exchange -q',
    '<%= config.bin %> session exchange sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1',
    'printf %s "$VERIFIER" | <%= config.bin %> session exchange "$CODE" --code-verifier-stdin',
  ]
}
