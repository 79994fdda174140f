// The service's own heap growth setting: the operator's heap flags win and 0 turns it off (the
// effect on the resident size is measured by the bodies bench, not asserted here).
import { describe, expect, it } from "vitest"
import { DEFAULT_HEAP_GROWING_PERCENT, heapTuning } from "../../src/lib/heap.js"

describe("heapTuning", () => {
  it("sets the growth factor when the operator passed no heap flag", () => {
    expect(heapTuning(["--enable-source-maps", "--trace-gc"], DEFAULT_HEAP_GROWING_PERCENT)).toEqual({
      _tag: "Tuned",
      percent: 25
    })
  })

  it("leaves the heap to the operator's own flag, from the command line or NODE_OPTIONS", () => {
    expect(heapTuning(["--max-old-space-size=192"], 50)).toEqual({ _tag: "Operator", flag: "--max-old-space-size=192" })
    expect(heapTuning(["--max_old_space_size=512"], 50)._tag).toBe("Operator")
    expect(heapTuning(["--heap-growing-percent=20"], 50)._tag).toBe("Operator")
    expect(heapTuning(["--optimize-for-size"], 50)._tag).toBe("Operator")
  })

  it("is off with S2S_HEAP_GROWING_PERCENT=0", () => {
    expect(heapTuning([], 0)).toEqual({ _tag: "Off" })
  })
})
