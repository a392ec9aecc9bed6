// Every word the form shows, one table per language, keyed by message id.

export type Locale = 'sv' | 'en'

export const TEXTS = {
  sv: {
    required: 'Obligatoriskt',
    name: 'Namn',
    email: 'E-post',
    phone: 'Telefon',
    organisation: 'Organisation',
    message: 'Meddelande',
    website: 'Lämna det här fältet tomt',
    captcha: 'Verifiering',
    submit: 'Skicka',
    sending: 'Skickar…',
    noticeMore: 'Läs hela informationen om hur vi behandlar dina personuppgifter',
    loadFailed: 'Formuläret kunde inte laddas. Ladda om sidan och försök igen.',
    summaryTitle: 'Det finns ett problem',
    errorPrefix: 'Fel:',
    nameMissing: 'Skriv ditt namn',
    nameTooLong: 'Namnet får vara högst 200 tecken',
    nameCharacters: 'Namnet innehåller tecken som inte kan skickas, till exempel styrtecken. Skriv det på nytt',
    emailMissing: 'Skriv din e-postadress',
    emailInvalid: 'Skriv en e-postadress i rätt format, till exempel namn@example.se',
    phoneInvalid: 'Skriv ett telefonnummer med siffror, till exempel +46 70 123 45 67',
    organisationTooLong: 'Organisationens namn får vara högst 200 tecken',
    organisationCharacters: 'Organisationens namn innehåller tecken som inte kan skickas. Skriv det på nytt',
    messageMissing: 'Skriv ditt meddelande',
    messageTooLong: 'Meddelandet får vara högst 10 000 tecken',
    messageCharacters: 'Meddelandet innehåller tecken som inte kan skickas, till exempel styrtecken. Ta bort dem',
    consentMissing: 'Kryssa i rutan för att vi ska kunna behandla dina uppgifter',
    consentChanged: 'Informationen om personuppgifter har uppdaterats. Läs den och kryssa i rutan igen',
    captchaFailed: 'Verifieringen misslyckades. Gör om den och skicka igen',
    fieldInvalid: (label: string) => `Kontrollera fältet ${label.toLowerCase()}`,
    unknownContact: 'Den här kontaktpersonen kan inte ta emot förfrågningar just nu',
    rateLimited: (when: string) => `Du har skickat många förfrågningar. Försök igen ${when}`,
    tryAgain: 'Det gick inte att skicka just nu. Det du skrev finns kvar: försök igen om en liten stund',
    failed: 'Något gick fel. Det du skrev finns kvar: försök igen',
    receiptTitle: (contact: string) => `Tack! Din förfrågan har skickats till ${contact}`,
    receiptNext: 'Du får svar via e-post så snart som möjligt.',
    receiptDeletion: (date: string) => `Förfrågan och dina personuppgifter raderas automatiskt ${date}.`,
    receiptId: (id: string) => `Ärendenummer: ${id}`,
    dateLocale: 'sv-SE'
  },
  en: {
    required: 'Required',
    name: 'Name',
    email: 'E-mail',
    phone: 'Phone',
    organisation: 'Organisation',
    message: 'Message',
    website: 'Leave this field empty',
    captcha: 'Verification',
    submit: 'Send',
    sending: 'Sending…',
    noticeMore: 'Read how we process your personal data',
    loadFailed: 'The form could not be loaded. Reload the page and try again.',
    summaryTitle: 'There is a problem',
    errorPrefix: 'Error:',
    nameMissing: 'Enter your name',
    nameTooLong: 'Your name must be 200 characters or fewer',
    nameCharacters: 'Your name contains characters that cannot be sent, such as control characters. Type it again',
    emailMissing: 'Enter your e-mail address',
    emailInvalid: 'Enter an e-mail address in the correct format, like name@example.com',
    phoneInvalid: 'Enter a phone number in digits, like +46 70 123 45 67',
    organisationTooLong: 'The organisation must be 200 characters or fewer',
    organisationCharacters: 'The organisation contains characters that cannot be sent. Type it again',
    messageMissing: 'Enter your message',
    messageTooLong: 'Your message must be 10,000 characters or fewer',
    messageCharacters: 'Your message contains characters that cannot be sent, such as control characters. Remove them',
    consentMissing: 'Tick the box so that we can process your details',
    consentChanged: 'The information about personal data has been updated. Read it and tick the box again',
    captchaFailed: 'The verification failed. Verify again and send',
    fieldInvalid: (label: string) => `Check the ${label.toLowerCase()}`,
    unknownContact: 'This contact cannot take requests at the moment',
    rateLimited: (when: string) => `You have sent many requests. Try again ${when}`,
    tryAgain: 'Your request could not be sent just now. What you wrote is still here: try again in a moment',
    failed: 'Something went wrong. What you wrote is still here: try again',
    receiptTitle: (contact: string) => `Thank you! Your request has been sent to ${contact}`,
    receiptNext: 'You will get an answer by e-mail as soon as possible.',
    receiptDeletion: (date: string) => `The request and your personal data will be deleted automatically on ${date}.`,
    receiptId: (id: string) => `Reference: ${id}`,
    dateLocale: 'en-GB'
  }
} as const

export type Texts = typeof TEXTS[Locale]
/** Ids of the messages a field can show. */
export type MessageId = { [K in keyof Texts]: Texts[K] extends string ? K : never }[keyof Texts]

export const isLocale = (value: string | null | undefined): value is Locale => value === 'sv' || value === 'en'

/** "om 10 minuter" / "in 10 minutes", from a Retry-After in seconds. */
export function inWords (seconds: number, locale: Locale): string {
  const format = new Intl.RelativeTimeFormat(TEXTS[locale].dateLocale, { numeric: 'auto' })
  if (seconds < 90) return format.format(Math.max(1, Math.round(seconds)), 'second')
  if (seconds < 90 * 60) return format.format(Math.round(seconds / 60), 'minute')
  return format.format(Math.round(seconds / 3600), 'hour')
}
