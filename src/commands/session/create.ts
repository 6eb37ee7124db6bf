import {oclifCommand} from '../../core/base-command.js'
import {sessionCreate} from '../../definitions/session.js'

export default class SessionCreate extends oclifCommand(sessionCreate) {
  static override summary = 'Create a Funtrips session code (headless or webframe)'
  static override description =
    'Gets a backend bearer by client credentials (cached in the keychain until shortly before it expires), then POST /v1/session. ' +
    'With --headless --exchange the code is exchanged for a public bearer at once, which is stored for `ftauth call`. ' +
    'Steps go to stderr; stdout has the result only.'
  static override examples = [
    '<%= config.bin %> session create --headless',
    '<%= config.bin %> session create --webframe --open',
    '<%= config.bin %> session create --headless --pkce',
    'TOKEN=$(<%= config.bin %> session create --headless --exchange -q)',
    '<%= config.bin %> session create --headless -q | <%= config.bin %> session exchange -q',
  ]
}
