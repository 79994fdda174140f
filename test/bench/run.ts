// npm run bench [-- names...] [--seconds N]: runs the benchmarks (default: all), prints a table and
// writes JSON to bench-results/. Every figure sits beside a baseline measured in the same run.
import { appendBench } from "./append.js"
import { benchDatabase, report } from "./support.js"

const args = process.argv.slice(2)
const secondsArg = args.indexOf("--seconds")
const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 5
const names = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--seconds")

const benches: Record<string, (db: Awaited<ReturnType<typeof benchDatabase>>, seconds: number) => Promise<void>> = {
  append: appendBench
}

const selected = names.length > 0 ? names : Object.keys(benches)
const db = await benchDatabase()
try {
  for (const name of selected) {
    const bench = benches[name]
    if (!bench) throw new Error(`unknown benchmark ${name} (known: ${Object.keys(benches).join(", ")})`)
    console.log(`${name}:`)
    await bench(db, seconds)
  }
  await report()
} finally {
  await db.stop()
}
