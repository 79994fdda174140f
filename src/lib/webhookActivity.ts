// When this process last received a webhook: ingest marks every request as it starts and as it is
// answered; the worker's admission (jobs/admission.ts) reads it to run fewer jobs at once while
// webhooks arrive, so a backlog being drained does not crowd out the HTTP side of the same process.
// One clock per process (a module's state: the API and the worker of one `serve` share it).
let lastAt = Number.NEGATIVE_INFINITY

export const webhookActivity = {
  mark: (): void => {
    lastAt = performance.now()
  },
  /** Whether a webhook started or was answered within the last `windowMs`. */
  within: (windowMs: number): boolean => performance.now() - lastAt <= windowMs
}
