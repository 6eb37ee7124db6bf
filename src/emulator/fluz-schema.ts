// The emulated slice of the Fluz transactional graph, as SDL, executed by graphql-js.
import {buildSchema, GraphQLError, GraphQLScalarType, Kind, type GraphQLSchema} from 'graphql'

/** Scopes seen in the Fluz docs, with their spelling (MAKE_WIDTHDRAW sic). */
export const FLUZ_SCOPES = [
  'LIST_OFFERS',
  'PURCHASE_GIFTCARD',
  'REVEAL_GIFTCARD',
  'LIST_PURCHASES',
  'LIST_PAYMENT',
  'MANAGE_PAYMENT',
  'MAKE_DEPOSIT',
  'CREATE_VIRTUALCARD',
  'REVEAL_VIRTUALCARD',
  'EDIT_VIRTUALCARD',
  'REQUEST_VIRTUAL_CARD',
  'LIST_APPROVALS',
  'MANAGE_APPROVALS',
  'MAKE_WIDTHDRAW',
] as const

export type FluzScope = (typeof FLUZ_SCOPES)[number]

export interface FluzSchemaOptions {
  /** The docs name the query getApplicationScopes; some pages getApplicationScope. */
  scopesField: 'getApplicationScopes' | 'getApplicationScope'
  /** Scope names, or objects carrying one (the answer's shape is not documented). */
  scopesShape: 'strings' | 'objects'
}

export const fluzSdl = (options: FluzSchemaOptions): string => /* GraphQL */ `
"""An RFC 4122 UUID, e.g. 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f."""
scalar UUID @specifiedBy(url: "https://www.rfc-editor.org/rfc/rfc4122")

enum ScopeType {
  ${FLUZ_SCOPES.join('\n  ')}
}

"""In-payload error: Fluz reports most failures here, not in errors[]."""
type FluzError {
  code: String!
  message: String!
}

"""
A user access token. The docs select it as accessToken in one place and token in another;
both carry the same value. success/error follow the in-payload error pattern.
"""
type UserAccessToken {
  success: Boolean
  error: FluzError
  accessToken: String
  token: String
  refreshToken: String
  scopes: [ScopeType!]
  expiresIn: Int
}

type ApplicationScope {
  scope: ScopeType!
  description: String
}

type Offer {
  offerId: UUID!
  merchantName: String!
  cashbackPercent: Float!
  denominations: [Int!]!
}

type OfferList {
  success: Boolean
  error: FluzError
  totalCount: Int
  offers: [Offer!]
}

type Purchase {
  purchaseId: UUID!
  merchantName: String!
  amount: Int!
  currency: String!
  purchasedAt: String!
}

type PurchaseList {
  success: Boolean
  error: FluzError
  totalCount: Int
  purchases: [Purchase!]
}

type Query {
  "Ping; answers polo."
  marco: String!
  "Scopes granted to the calling application (Basic auth)."
  ${options.scopesField}: ${options.scopesShape === 'objects' ? '[ApplicationScope!]!' : '[ScopeType!]!'}
  "Offers visible to the user (Bearer user access token with LIST_OFFERS)."
  offers(first: Int): OfferList!
  "The user's purchases (Bearer user access token with LIST_PURCHASES)."
  purchases(first: Int): PurchaseList!
}

type Mutation {
  "Basic auth. seatId is optional."
  generateUserAccessToken(userId: UUID!, accountId: UUID!, scopes: [ScopeType!]!, seatId: UUID): UserAccessToken!
  "Basic auth. The argument is named userId but carries the refresh token (as documented)."
  refreshUserAccessToken(userId: String!): UserAccessToken!
}
`

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function parseUuid(value: unknown): string {
  if (typeof value !== 'string' || !UUID_RE.test(value)) {
    throw new GraphQLError(`UUID cannot represent value: ${JSON.stringify(value)}`)
  }
  return value.toLowerCase()
}

const uuidBehaviour: Pick<GraphQLScalarType, 'serialize' | 'parseValue' | 'parseLiteral'> = {
  serialize: parseUuid,
  parseValue: parseUuid,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('UUID must be a string literal', {nodes: ast})
    return parseUuid(ast.value)
  },
}

export function buildFluzSchema(options: FluzSchemaOptions = {scopesField: 'getApplicationScopes', scopesShape: 'strings'}): GraphQLSchema {
  const schema = buildSchema(fluzSdl(options))
  // buildSchema gives custom scalars identity parsing; give UUID its real validation.
  const uuid = schema.getType('UUID')
  if (!(uuid instanceof GraphQLScalarType)) throw new Error('UUID scalar missing from the Fluz schema')
  Object.assign(uuid, uuidBehaviour)
  return schema
}
