// Scripts and stylesheets the form adds to the page, each once however many forms ask.

const loaded = new Map<string, Promise<void>>()

export function load (url: string): Promise<void> {
  let promise = loaded.get(url)
  if (promise === undefined) {
    promise = new Promise<void>((resolve, reject) => {
      const element = url.endsWith('.css')
        ? Object.assign(document.createElement('link'), { rel: 'stylesheet', href: url })
        : Object.assign(document.createElement('script'), { src: url, async: false })
      element.addEventListener('load', () => resolve())
      element.addEventListener('error', () => reject(new Error(`could not load ${url}`)))
      document.head.append(element)
    })
    loaded.set(url, promise)
  }
  return promise
}
