// A worker thread's task (src/spam/text-readers.ts): the links and language of a batch of messages.
import { readText, type TextReading } from './text.js'

export default function readTexts (messages: string[]): TextReading[] {
  return messages.map(readText)
}
