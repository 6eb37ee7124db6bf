// undici's own modules behind `request` (see src/core/http.ts). undici 7 has no exports map, so
// these paths resolve; esbuild bundles them, and a layout change fails the build, not a user.
declare module 'undici/lib/api/api-request.js' {
  import type {Dispatcher} from 'undici'

  const request: (this: Dispatcher, options: Dispatcher.RequestOptions) => Promise<Dispatcher.ResponseData>
  export default request
}

declare module 'undici/lib/global.js' {
  import type {Dispatcher} from 'undici'

  const global: {getGlobalDispatcher(): Dispatcher}
  export default global
}
