// The labelled corpus `npm run eval:spam` scores: Swedish and English contact-form messages, spam
// and not spam, as this institute's forms receive them.
//
// Where it comes from: written for this project (CC0 1.0, like any file here that says so), as
// phrase lists that are combined deterministically into whole messages. No message is copied from
// a public corpus (the SpamAssassin corpus is kept for independent evaluation) and none is a real
// person's. Being composed from phrases, its messages resemble each other more than real ones
// do: a classifier's figures on it are an upper bound, the rules' false-positive rate (cold) is
// the figure to trust. The hard cases are on purpose: not-spam with links, in English or Norwegian,
// short, or asking about prices; spam in Swedish, without links, polite.

export interface Labelled { message: string, email: string, locale: 'sv' | 'en', spam: boolean }

const HAM_SV = {
  open: ['Hej!', 'Hej Lotta,', 'Hej Sofia,', 'Hejsan,', 'God dag,', 'Hej, jag heter Maria och arbetar på kommunen.', 'Hej! Vi är ett litet företag i Umeå.'],
  body: [
    'Jag läste om projektet om livslångt lärande och undrar om vår kommun kan delta i nästa omgång.',
    'Vi planerar en förstudie om cirkulärt byggande och skulle vilja veta mer om era testbäddar.',
    'Kan ni berätta vad det kostar att göra en provning av våra material i ert labb?',
    'Jag är doktorand och skulle vilja använda era mätdata om biogas i min avhandling.',
    'Vår skola vill gärna ha ett studiebesök hos er under våren, går det att ordna?',
    'Har ni en rapport om energilagring i flerbostadshus som vi kan läsa?',
    'Vi söker en partner för en ansökan till Vinnova om digitala tvillingar inom industrin.',
    'Jag såg ert föredrag på konferensen och undrar om bilderna finns att ladda ner.',
    'Hur anmäler man sig till kursen om kompetensutveckling för offentlig sektor?',
    'Vi har problem med fukt i en träbyggnad och undrar om ni gör utredningar åt privatpersoner.'
  ],
  ask: ['Kan du ringa mig nästa vecka?', 'Tacksam för svar när du har tid.', 'Finns det en tid för ett kort möte?', 'Mejla gärna om du vill veta mer.', '', 'Ring gärna efter klockan tio.'],
  close: ['Vänliga hälsningar, Maria', 'Med vänlig hälsning, Johan Berg', 'Tack på förhand!', 'Hälsningar från Skellefteå', 'Mvh Erik']
}

const HAM_EN = {
  open: ['Hello,', 'Dear Lotta,', 'Hi Sofia,', 'Good morning,', 'Hello, I work at a municipality in Finland.'],
  body: [
    'I read about your project on lifelong learning and would like to know whether international partners can join.',
    'We are preparing a Horizon Europe proposal on circular construction and are looking for a Swedish partner.',
    'Could you tell me what it would cost to test our insulation material in your laboratory?',
    'I am a PhD student and would like to cite your report on hydrogen storage; is there a DOI?',
    'Our delegation visits Sweden in March and would love to see your test bed for digital twins.',
    'Is the recording of your webinar on battery recycling available somewhere?',
    'We saw your article in the newsletter and wonder whether the method also works for concrete.'
  ],
  ask: ['Could we arrange a short call?', 'Thank you in advance for your reply.', 'Happy to share more details by e-mail.', ''],
  close: ['Best regards, Anna', 'Kind regards, Tom Becker', 'Thanks!', 'Best wishes from Tallinn']
}

/** Not spam that looks like it: links, another served language, very short. */
const HAM_HARD: Array<Omit<Labelled, 'spam'>> = [
  { message: 'Hej, här är länkarna till våra två rapporter: https://www.umea.se/rapport-2025 och https://www.umea.se/bilaga. Kan ni titta på dem?', email: 'karin@umea.se', locale: 'sv' },
  { message: 'Hei! Jeg lurer på om dere har mulighet til å holde et foredrag for kommunen vår i løpet av våren.', email: 'ola@bergen.kommune.no', locale: 'sv' },
  { message: 'Ring mig, tack.', email: 'per@example.se', locale: 'sv' },
  { message: 'Hi, what is the price for a one-day workshop for 20 people? We would like an offer.', email: 'buyer@volvo.example.com', locale: 'en' },
  { message: 'Hej! Vad kostar det att hyra er provhall en dag? Vi vill gärna ha en offert.', email: 'inkop@bygg.se', locale: 'sv' },
  { message: 'Hej, min kollega bad mig skicka detta. Se www.ri.se/sv/projekt för bakgrund. Mvh Lisa', email: 'lisa@gmail.com', locale: 'sv' }
]

const SPAM_SV = {
  open: ['Hej!', 'Hej där,', 'Bästa företagare,', 'Hej, vi har ett erbjudande till er.', 'God dag!'],
  body: [
    'Vi erbjuder sökmotoroptimering och garanterar att er hemsida hamnar på första sidan på Google.',
    'Vill ni ha fler kunder? Vi säljer listor med tusentals e-postadresser till beslutsfattare.',
    'Vi bygger en ny hemsida åt er för halva priset, med gratis underhåll första året.',
    'Investera i kryptovaluta med vår nya plattform och få tio procent avkastning i månaden.',
    'Vi kan ge er hundratals positiva omdömen på Google och Trustpilot inom en vecka.',
    'Vårt team skriver artiklar med länkar till er sajt på populära bloggar, billigt och snabbt.',
    'Låna upp till 500 000 kronor utan säkerhet, svar inom fem minuter.'
  ],
  cta: ['Svara på detta mejl så berättar vi mer.', 'Besök https://seo-tjanst.com/erbjudande idag.', 'Ring oss för en kostnadsfri analys.', 'Klicka här: https://snabblan.nu och https://snabblan.nu/ansok och https://snabblan.nu/villkor', 'Erbjudandet gäller bara denna vecka!'],
  close: ['Med vänlig hälsning, Marknadsteamet', 'Hälsningar, Kevin', 'Mvh Säljavdelningen', '']
}

const SPAM_EN = {
  open: ['Hello,', 'Hi there,', 'Dear Sir/Madam,', 'Greetings!', 'Hello business owner,'],
  body: [
    'We noticed your website is not ranking on Google and we can fix that with our SEO services.',
    'Get 10,000 real Instagram followers for your brand today at an unbeatable price.',
    'I am a web developer and can redesign your website for only 199 dollars.',
    'Earn passive income with our crypto trading bot, guaranteed returns every week.',
    'We provide high quality backlinks from authority sites to boost your traffic.',
    'Buy cheap watches and luxury bags online with free worldwide shipping.',
    'Our lead generation agency delivers qualified appointments straight to your calendar.'
  ],
  cta: ['Reply to this email for a free audit.', 'Visit https://best-seo-deals.com now.', 'Check https://cheap-watches.shop and https://cheap-watches.shop/sale and https://cheap-watches.shop/new', 'Limited offer, act now!', 'Let me know if you are interested.'],
  close: ['Best regards, Mark', 'Thanks, SEO Team', 'Regards, Jenny from Growth Agency', '']
}

/** Spam that looks like a person: another language, a throwaway address, polite and link-free. */
const SPAM_HARD: Array<Omit<Labelled, 'spam'>> = [
  { message: 'Здравствуйте! Мы предлагаем продвижение вашего сайта в поисковых системах по низкой цене. Пишите нам.', email: 'promo@mail.example.ru', locale: 'sv' },
  { message: '我们提供专业的网站推广服务，价格便宜，效果显著，欢迎随时联系我们了解更多详情。', email: 'seo@example.cn', locale: 'en' },
  { message: 'Hej, jag har en fråga om samarbete kring annonsering på er webbplats, vad tar ni betalt för en länk?', email: 'outreach@mailinator.com', locale: 'sv' },
  { message: 'Hello, I would like to write a guest post for your blog with one do-follow link. What is your fee?', email: 'guestposts@yopmail.com', locale: 'en' }
]

/** A small deterministic generator (mulberry32), so the corpus is the same on every run. */
function random (seed: number): () => number {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let x = Math.imul(a ^ (a >>> 15), 1 | a)
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

function compose (parts: Record<string, string[]>, count: number, seed: number): string[] {
  const next = random(seed)
  const pick = (list: string[]) => list[Math.floor(next() * list.length)] ?? ''
  const messages = new Set<string>()
  while (messages.size < count) messages.add(Object.values(parts).map(pick).filter((p) => p !== '').join(' '))
  return [...messages]
}

const DOMAINS_HAM = ['skelleftea.se', 'umea.se', 'gmail.com', 'hotmail.com', 'ltu.se', 'kth.se', 'bygg.example.se', 'outlook.com']
const DOMAINS_SPAM = ['seo-agency.com', 'gmail.com', 'outlook.com', 'mailinator.com', 'growth.io', 'yopmail.com', 'hotmail.com']

function labelled (messages: string[], locale: 'sv' | 'en', spam: boolean, domains: string[], tag: string): Labelled[] {
  return messages.map((message, i) => ({ message, locale, spam, email: `${tag}${i}@${domains[i % domains.length] ?? 'example.se'}` }))
}

/** The whole corpus, in a fixed order: 300 not spam and 300 spam, Swedish and English. */
export function corpus (): Labelled[] {
  return [
    ...labelled(compose(HAM_SV, 200, 1), 'sv', false, DOMAINS_HAM, 'hs'),
    ...labelled(compose(HAM_EN, 94, 2), 'en', false, DOMAINS_HAM, 'he'),
    ...HAM_HARD.map((m) => ({ ...m, spam: false })),
    ...labelled(compose(SPAM_SV, 180, 3), 'sv', true, DOMAINS_SPAM, 'ss'),
    ...labelled(compose(SPAM_EN, 116, 4), 'en', true, DOMAINS_SPAM, 'se'),
    ...SPAM_HARD.map((m) => ({ ...m, spam: true }))
  ]
}
