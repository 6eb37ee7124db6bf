import {oclifCommand} from '../core/base-command.js'
import {status} from '../definitions/status.js'

export default class Status extends oclifCommand(status) {
  static override summary = 'Show where credentials come from and which tokens are cached'
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json --profile ci']
}
