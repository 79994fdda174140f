/** The prefix of every database a test run creates: its template's name (one per run) plus "_". */
export const runDatabasePrefix = (template: string) => `${template.replace(/^s2s_template_/, "s2s_test_")}_`
