// The package's version, read from the package.json shipped beside the code (in a checkout, the
// dist/ bundle and the production image alike): the CLI's --version and the outgoing User-Agent.
import { readFileSync } from "node:fs"
import { Schema } from "effect"
import { fromRoot } from "./paths.js"

const PackageJson = Schema.Struct({ version: Schema.String })

export const VERSION: string = Schema.decodeUnknownSync(PackageJson)(
  JSON.parse(readFileSync(fromRoot("package.json"), "utf8"))
).version
