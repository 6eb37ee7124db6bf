// Every example request and response in ../shared/docs (the three provider pages and PROVIDERS.md),
// copied as printed there (placeholders filled in, the JSON comments and `...` of the Fluz page
// removed). The contract tests replay each against what ftauth sends and what the emulator answers.

/** funtrips-integration-and-authorization.txt */
export const FUNTRIPS = {
  /** "PartnerBE->>FTAuth: POST /oauth/token (client_credentials)" and the list under "Get a Backend Bearer". */
  clientCredentials: {
    method: 'POST',
    path: '/oauth/token',
    form: {grant_type: 'client_credentials', client_id: '<client_id>', client_secret: '<client_secret>'},
    /** "FTAuth-->>PartnerBE: 200 { backend_bearer }" */
    response: {status: 200, body: {backend_bearer: 'backend-bearer-from-the-diagram'}},
  },
  /** "PartnerBE->>FTAPI: POST /v1/session { integration:headless } (Auth: backend_bearer)" */
  session: {
    method: 'POST',
    path: '/v1/session',
    body: {integration: 'headless'},
    /** Reference page "Generate authorization code" (PROVIDERS.md): the user, 1–128 characters. */
    requiredByReference: ['external_user_id'],
    /** "FTAPI-->>PartnerBE: 200 { session_code }" */
    response: {status: 200, body: {session_code: 'sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1'}},
    /** PROVIDERS.md: `{ session_code, code_expires_at, pkce_required, frame_url? }` */
    fullResponse: {session_code: 'sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1', code_expires_at: '2026-01-01T00:05:00Z', pkce_required: false},
    /** Webframe: "FTAPI-->>PartnerBE: { session_code, frame_url }" */
    webframeResponse: {session_code: 'sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1', frame_url: 'https://app.funtrips.io/frame'},
  },
  /** Prose: "calls POST /v1/session/token with the session code", sending session_code, client_id, client_secret. */
  exchangeProse: {method: 'POST', path: '/v1/session/token', fields: ['session_code', 'client_id', 'client_secret']},
  /** Diagram: "PartnerBE->>FTAPI: POST /v1/oauth/token { code: session_code }" → "200 { public_bearer }" */
  exchangeDiagram: {
    method: 'POST',
    path: '/v1/oauth/token',
    fields: ['code'],
    response: {status: 200, body: {public_bearer: 'public-bearer-from-the-diagram'}},
  },
  /** "GET https://app.funtrips.io/frame?session_code=sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1" */
  frame: {
    frameUrl: 'https://app.funtrips.io/frame',
    code: 'sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1',
    url: 'https://app.funtrips.io/frame?session_code=sc_8f4fdd3b9a8c4a8085f2a3b5a1f2e9c1',
  },
  /** "Add the HTTP header: Authorization: Bearer public_token" */
  contentCall: {method: 'GET', path: '/v1/merchants', authorization: 'Bearer <public_token>'},
} as const

/** fluz-generate-user-access-token.txt and PROVIDERS.md */
export const FLUZ = {
  /** The cURL example (Sandbox). */
  generate: {
    method: 'POST',
    url: 'https://transactional-graph.staging.fluzapp.com/api/v1/graphql',
    headers: {authorization: 'Basic <YOUR_SANDBOX_API_KEY>', 'content-type': 'application/json'},
    body: {
      query:
        'mutation generateUserAccessToken($userId: UUID!, $accountId: UUID!, $scopes: [ScopeType!]!, $seatId: UUID) { generateUserAccessToken(userId: $userId, accountId: $accountId, scopes: $scopes, seatId: $seatId) { accessToken refreshToken scopes } }',
      variables: {
        userId: '<YOUR_SANDBOX_USER_ID>',
        accountId: '<YOUR_ACCOUNT_ID>',
        scopes: ['LIST_PURCHASES', 'LIST_OFFERS', 'LIST_PAYMENT', 'REVEAL_GIFTCARD', 'PURCHASE_GIFTCARD', 'MANAGE_PAYMENT'],
      },
    },
    /** "Response: You'll get a token." (its `// <--` comments and the `...` in scopes removed) */
    response: {
      data: {
        generateUserAccessToken: {
          token: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.c2ln',
          refreshToken: '0cb671d0b1aaa727c96874270cd15c2f',
          scopes: ['LIST_PURCHASES'],
        },
      },
    },
  },
  /** PROVIDERS.md "Ping: `query Marco { marco }` → {"data":{"marco":"polo"}}" */
  ping: {query: 'query Marco { marco }', response: {data: {marco: 'polo'}}},
  /** PROVIDERS.md, docs.fluz.app/docs/refresh-an-expired-user-access-token */
  refresh: {
    query: 'mutation refreshUserAccessToken($refreshToken: String!) { refreshUserAccessToken(userId: $refreshToken) { accessToken refreshToken scopes } }',
  },
  /** PROVIDERS.md, docs.fluz.app/docs/error-codes */
  errorPayload: {data: {op: {success: false, error: {code: 'AUTH-0026', message: 'Phone number already in use'}}}},
} as const

/** shuttle-bearer-authentication.txt and PROVIDERS.md */
export const SHUTTLE = {
  /** PROVIDERS.md: GET https://merchant.shuttleglobal.com/authorize?response_type=code&client_id=…&redirect_url=…&scope=…&state=… */
  authorize: {path: '/authorize', params: ['response_type', 'client_id', 'redirect_url', 'scope', 'state'], responseType: 'code'},
  /** PROVIDERS.md: POST /token, grant_type=authorization_code with code, redirect_uri; Basic or body client auth. */
  token: {method: 'POST', path: '/token', form: ['grant_type', 'code', 'redirect_uri'], grantType: 'authorization_code'},
  /** grant_type=refresh_token → a new access_token only (the refresh token stays). */
  refresh: {
    method: 'POST',
    path: '/token',
    form: ['grant_type', 'refresh_token'],
    response: {access_token: 'at_1234_h480djs93hd8', token_type: 'Bearer', expires_in: 3600},
  },
  /** POST /revoke with the token. */
  revoke: {method: 'POST', path: '/revoke', form: ['token']},
  /** "Example Request: GET https://app.shuttleglobal.com/c/api/payment_links / Authorization: Bearer at_1234_h480djs93hd8" */
  api: {method: 'GET', url: 'https://app.shuttleglobal.com/c/api/payment_links', path: '/c/api/payment_links', authorization: 'Bearer at_1234_h480djs93hd8'},
} as const
