// Small server-rendered pages (consent, webframe, errors, index). Every interpolated value
// goes through escapeHtml: query parameters end up in these pages.

import {escapeHtml} from '../core/html.js'

export {escapeHtml}

export type Theme = 'light' | 'dark'

const STYLES: Record<Theme, string> = {
  light: 'body{background:#fafafa;color:#1d1d1f}.card{background:#fff}',
  dark: 'body{background:#16161a;color:#eee}.card{background:#24242a}',
}

/** `body` must already be HTML (built with escapeHtml). */
export function page(title: string, body: string, theme: Theme = 'light'): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;padding:2rem}
.card{max-width:40rem;margin:auto;padding:1.5rem 2rem;border-radius:12px;box-shadow:0 1px 4px #0003}
code{font-size:.9em}button{font-size:1rem;padding:.5rem 1.25rem;margin-right:.5rem;cursor:pointer}
.error{color:#c62828}
${STYLES[theme]}
</style>
</head>
<body><main class="card">
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`
}

export function errorPage(title: string, message: string, theme: Theme = 'light'): string {
  return page(title, `<p class="error" role="alert">${escapeHtml(message)}</p>`, theme)
}
