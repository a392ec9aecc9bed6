// What the API process adds to its core: the intake and what it checks with (CAPTCHA, notices,
// routing), the withdrawal links, and the admin operations its /v1/admin routes call.
import type { Core } from './core.js'
import { createAdminServices } from './admin.js'
import { createCaptcha, type CaptchaEndpoints } from '../captcha/index.js'
import { createContactRouter } from '../contacts/routing.js'
import { createIntakeService } from '../intake/service.js'
import { createNoticeCatalog } from '../notices/catalog.js'
import { createRedrive } from '../notifications/redrive.js'
import { createWithdrawalLinks } from '../receipts/withdrawal-link.js'
import { createRequestChanges } from '../admin/request-changes.js'
import { createModelCache } from '../spam/model.js'
import { createSpamScorer } from '../spam/scorer.js'
import { createTextReader } from '../spam/text-readers.js'

export interface ApiServicesOptions {
  /** Where third-party CAPTCHA providers are asked; tests point them at fakes. */
  captchaEndpoints?: Partial<CaptchaEndpoints>
}

export function createApiServices (core: Core, options: ApiServicesOptions = {}) {
  const { config, log, tuning, metrics, repositories, producers } = core
  const notices = createNoticeCatalog(repositories.notices, config.PRIVACY_NOTICE_VERSION)
  const router = createContactRouter({
    load: repositories.contacts.forRouting,
    fallbackEmail: config.NOTIFY_FALLBACK_EMAIL,
    retentionDays: config.RETENTION_DAYS,
    cacheMs: tuning.directoryCacheMs
  })
  const captcha = createCaptcha(config, { log, metrics: metrics.captcha }, options.captchaEndpoints)
  const spamModel = createModelCache(repositories.spam.model, config.SPAM_MODEL_REFRESH_SECONDS * 1000, log)
  const textReader = createTextReader(config.SPAM_THREADS, log)
  return {
    ...createAdminServices(core),
    notices,
    router,
    captcha,
    intake: createIntakeService({
      config,
      requests: repositories.requests,
      notices,
      captcha,
      router,
      notify: producers.notify,
      receipts: config.RECEIPTS ? producers.receipts : null,
      webhooks: producers.webhooks,
      enqueueTimeoutMs: tuning.enqueueTimeoutMs,
      spam: createSpamScorer(config, spamModel.current, textReader.read)
    }),
    spamModel,
    /** Its worker threads end when the app closes. */
    textReader,
    withdrawalLinks: createWithdrawalLinks({ pseudonymKey: config.PSEUDONYM_KEY, baseUrl: config.PUBLIC_BASE_URL }),
    requestChanges: createRequestChanges(repositories),
    redrive: createRedrive({ notifications: repositories.notifications, notify: producers.notify, log })
  }
}
export type ApiServices = ReturnType<typeof createApiServices>
