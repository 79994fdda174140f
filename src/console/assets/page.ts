// The console's one HTML page: every /console path answers it, and the browser code routes. Strict
// headers: scripts and styles from this origin only, no framing, and no Referer, so a signed link in
// the address bar never travels to another site.
import type { Bundle } from "./bundle.js"

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer"
}

export const shellPage = (bundle: Bundle) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>s2s console</title>
<link rel="stylesheet" href="/console/assets/${escapeHtml(bundle.css)}">
<script type="module" src="/console/assets/${escapeHtml(bundle.js)}"></script>
</head>
<body>
<div id="app"><main><p>Loading the console…</p></main></div>
<noscript><p>The s2s console needs JavaScript.</p></noscript>
</body>
</html>
`

export const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>s2s console</title></head>
<body><main><h1>The console is not built</h1>
<p>Run <code>npm run build</code> (or start the service with <code>npm start</code>, which builds it) and reload.</p>
</main></body></html>
`
