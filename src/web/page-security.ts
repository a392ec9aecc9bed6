// The Content-Security-Policy of the pages this service renders (helmet's route option).

/** Our pages load only our own files; `frameAncestors` says who may put them in a frame. */
export function pageSecurityFor (frameAncestors: string[]) {
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
        formAction: ["'self'"],
        baseUri: ["'none'"],
        frameAncestors
      }
    }
  }
}
