// The Content-Security-Policy of the pages this service renders (helmet's route option).

/**
 * Our pages load only our own files; `frameAncestors` says who may put them in a frame, and
 * `formTargets` where else a form may lead (a redirect after a post counts).
 */
export function pageSecurityFor (frameAncestors: string[], formTargets: string[] = []) {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        workerSrc: ["'self'"],
        connectSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: ["'self'", ...formTargets],
        baseUri: ["'none'"],
        frameAncestors
      }
    }
  }
}
