// Text into HTML: what the e-mails and the pages show of data is always escaped.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => ENTITIES[c] as string)

/**
 * The frame of every page the service renders itself (the withdrawal and handling pages, the
 * console): no script, the demo page's stylesheet, not for search engines. `header` and `main` are
 * HTML, escaped by their maker.
 */
export function pageShell ({ locale, title, header, main }: { locale: string, title: string, header: string, main: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(locale)}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="robots" content="noindex">
    <title>${escapeHtml(title)}</title>
    <link rel="icon" href="/demo/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/demo/demo.css">
  </head>
  <body>
    ${header}
    <main>
      ${main}
    </main>
  </body>
</html>
`
}

/** A plain page: a title, paragraphs of text (escaped here) and a form (HTML, escaped by its maker). */
export function plainPage (
  { locale, title, paragraphs, form }: { locale: string, title: string, paragraphs: readonly string[], form: string }
): string {
  return pageShell({
    locale,
    title,
    header: '<header><span class="brand">RISE</span></header>',
    main: [`<h1>${escapeHtml(title)}</h1>`, ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`), form].join('\n      ')
  })
}
