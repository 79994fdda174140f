// `s2s import dispatched|rules`: what the commands defined in ../import.ts do.
import * as fs from "node:fs/promises"
import * as path from "node:path"
import { createTwoFilesPatch } from "diff"
import { Effect, Option } from "effect"
import { rulesFromCsv, withImportedRules } from "../../config/importRules.js"
import { parseConfig } from "../../config/load.js"
import { plural } from "../../operations/format.js"
import { importDispatched } from "../../operations/import/ImportDispatched.js"
import type { DispatchedInput, RulesInput } from "../import.js"
import { cliActor, print, printJson, printTable } from "../output.js"
import { configValidators, withCore } from "../stages.js"

const readText = (file: string) => Effect.promise(() => fs.readFile(file, "utf8"))

export const dispatched = ({ csv, dryRun, json }: DispatchedInput) =>
  Effect.gen(function* () {
    const report = yield* importDispatched(yield* readText(csv), csv, {
      dryRun,
      actor: cliActor(),
      origin: "cli:import-dispatched"
    })
    if (json) return yield* printJson(report)
    const verb = dryRun ? "would be imported" : "imported"
    yield* print(
      `${dryRun ? "dry run: " : ""}${plural(report.rows, "row")}, ${report.imported} ${verb} ` +
        `(${plural(report.orders, "order")}), ${report.skipped} skipped`
    )
    yield* printTable(
      ["LINE", "ORDER", "TARGET", "ACTION", "DETAIL"],
      report.items
        .filter((i) => i.action === "skipped")
        .map((i) => [String(i.line), i.orderKey, i.targetId, "skipped", i.reason ?? ""])
    )
    yield* print(
      dryRun
        ? "nothing was recorded (dry run); run again without --dry-run to import"
        : "these conversions count as delivered: s2s never sends them, also when their order arrives later"
    )
  }).pipe(withCore)

const configFile = (given: Option.Option<string>) =>
  Option.getOrElse(given, () => process.env.S2S_CONFIG || path.resolve("s2s.yaml"))

export const rules = ({ csv, config, write }: RulesInput) =>
  Effect.gen(function* () {
    const file = configFile(config)
    const { rules, problems } = rulesFromCsv(yield* readText(csv), csv)
    if (problems.length > 0)
      return yield* Effect.fail(new Error(`${csv} cannot be imported:\n${problems.map((p) => `  - ${p}`).join("\n")}`))
    const before = yield* Effect.promise(() => fs.readFile(file, "utf8").catch(() => ""))
    const after = withImportedRules(before, rules)
    // The result must be a valid s2s.yaml (targets exist, no duplicate ids): checked like config apply.
    const checked = parseConfig(after, file, yield* configValidators)
    if (checked._tag === "Left")
      return yield* Effect.fail(new Error(`with the imported rules, ${checked.left.message}`))
    if (before === after) return yield* print(`${file}: its rules already match ${csv}; nothing to change`)
    yield* print(
      createTwoFilesPatch(file, `${file} (imported)`, before, after, undefined, undefined, { context: 2 }).trimEnd()
    )
    if (!write)
      return yield* print(`\n${plural(rules.length, "rule")} from ${csv}; run again with --write to update ${file}`)
    yield* Effect.promise(() => fs.writeFile(file, after))
    yield* print(`\nwrote ${plural(rules.length, "rule")} to ${file}; record them with: s2s config apply ${file}`)
  })
