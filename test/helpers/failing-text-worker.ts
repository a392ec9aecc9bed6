// A worker thread's module whose every task fails (test/integration/spam/text-readers.test.ts).
export default function readTexts (): never {
  throw new Error('this thread cannot read')
}
