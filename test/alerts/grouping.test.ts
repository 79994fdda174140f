import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Alert } from "../../src/alerts/alert.js"
import {
  DEFAULT_GROUP_WINDOW_MS,
  decide,
  due,
  emptyGrouping,
  type GroupingState,
  groupWindowMs,
  repeatDigestAlert
} from "../../src/alerts/grouping.js"
import { AlertRaised } from "../../src/events/alerts.js"

const HOUR = 3_600_000
const T0 = new Date("2026-03-10T10:00:00Z")
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

const alert = (n: number, groupKey = "acme|google|spring-sale|contradicting_tracking"): Alert =>
  AlertRaised.make({
    alertId: `contradicting_tracking:shop-de:${n}`,
    problem: "contradicting_tracking",
    groupKey,
    orderKey: `shop-de:${n}`,
    company: "acme",
    partner: "google",
    campaign: "spring-sale",
    summary: `order ${n}`,
    details: {}
  })

/** Feeds alerts in order; returns the actions and the final state. */
const feed = (inputs: ReadonlyArray<readonly [Alert, Date]>, state: GroupingState = emptyGrouping) =>
  inputs.reduce(
    (acc, [a, now]) => {
      const d = decide(acc.state, a, now, HOUR)
      return { state: d.state, actions: [...acc.actions, d.action], digests: [...acc.digests, ...d.digests] }
    },
    { state, actions: [] as Array<string>, digests: [] as Array<unknown> }
  )

describe("grouping: given / when / then", () => {
  it("the first alert of a group posts and opens a window", () => {
    const d = decide(emptyGrouping, alert(1), T0, HOUR)
    expect(d.action).toBe("post")
    expect(d.digests).toEqual([])
    expect(d.state.groups["acme|google|spring-sale|contradicting_tracking"]).toEqual({
      groupKey: "acme|google|spring-sale|contradicting_tracking",
      problem: "contradicting_tracking",
      company: "acme",
      partner: "google",
      campaign: "spring-sale",
      firstAlertId: "contradicting_tracking:shop-de:1",
      firstOrderKey: "shop-de:1",
      windowStart: "2026-03-10T10:00:00.000Z",
      suppressed: 0,
      samples: []
    })
  })

  it("repeats within the window are counted, keeping five sample order keys", () => {
    const run = feed([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [alert(n), at(n * 5)] as const))
    expect(run.actions).toEqual(["post", "count", "count", "count", "count", "count", "count", "count"])
    const group = run.state.groups["acme|google|spring-sale|contradicting_tracking"]!
    expect(group.suppressed).toBe(7)
    expect(group.samples.map((s) => s.orderKey)).toEqual([
      "shop-de:2",
      "shop-de:3",
      "shop-de:4",
      "shop-de:5",
      "shop-de:6"
    ])
  })

  it("the same alert delivered twice is a duplicate, not a repeat", () => {
    const run = feed([
      [alert(1), at(0)],
      [alert(1), at(1)],
      [alert(2), at(2)],
      [alert(2), at(3)]
    ])
    expect(run.actions).toEqual(["post", "duplicate", "count", "duplicate"])
    expect(run.state.groups["acme|google|spring-sale|contradicting_tracking"]?.suppressed).toBe(1)
  })

  it("nothing is due before the window closes; at the close one digest says how many more since when", () => {
    const { state } = feed([1, 2, 3].map((n) => [alert(n), at(n)] as const))
    expect(due(state, at(60), HOUR)).toEqual({ digests: [], state })
    const closed = due(state, at(61), HOUR)
    expect(closed.digests).toEqual([
      {
        groupKey: "acme|google|spring-sale|contradicting_tracking",
        problem: "contradicting_tracking",
        company: "acme",
        partner: "google",
        campaign: "spring-sale",
        firstAlertId: "contradicting_tracking:shop-de:1",
        firstOrderKey: "shop-de:1",
        count: 2,
        since: "2026-03-10T10:01:00.000Z",
        until: "2026-03-10T11:01:00.000Z",
        sampleOrderKeys: ["shop-de:2", "shop-de:3"]
      }
    ])
    expect(closed.state).toEqual(emptyGrouping)
  })

  it("a window without repeats closes silently", () => {
    const { state } = feed([[alert(1), at(0)]])
    expect(due(state, at(120), HOUR)).toEqual({ digests: [], state: emptyGrouping })
  })

  it("after the digest a new occurrence posts at once and opens a new window", () => {
    const first = feed([
      [alert(1), at(0)],
      [alert(2), at(10)]
    ])
    const closed = due(first.state, at(60), HOUR)
    expect(closed.digests).toHaveLength(1)
    const next = decide(closed.state, alert(3), at(70), HOUR)
    expect(next.action).toBe("post")
    expect(next.state.groups["acme|google|spring-sale|contradicting_tracking"]).toMatchObject({
      firstAlertId: "contradicting_tracking:shop-de:3",
      windowStart: "2026-03-10T11:10:00.000Z",
      suppressed: 0
    })
  })

  it("an occurrence after the window, before `due` ran, posts and hands back the old window's digest", () => {
    const first = feed([
      [alert(1), at(0)],
      [alert(2), at(10)]
    ])
    const next = decide(first.state, alert(3), at(90), HOUR)
    expect(next.action).toBe("post")
    expect(next.digests).toMatchObject([
      { count: 1, sampleOrderKeys: ["shop-de:2"], since: "2026-03-10T10:00:00.000Z" }
    ])
    expect(next.state.groups["acme|google|spring-sale|contradicting_tracking"]?.firstAlertId).toBe(
      "contradicting_tracking:shop-de:3"
    )
  })

  it("separate groups are independent", () => {
    const other = "acme|meta|(none)|contradicting_tracking"
    const run = feed([
      [alert(1), at(0)],
      [alert(2, other), at(5)],
      [alert(3), at(10)],
      [alert(4, other), at(50)],
      [alert(5, other), at(70)]
    ])
    expect(run.actions).toEqual(["post", "post", "count", "count", "post"])
    expect(run.digests).toMatchObject([{ groupKey: other, count: 1 }])
    const closed = due(run.state, at(61), HOUR)
    expect(closed.digests.map((d) => [d.groupKey, d.count])).toEqual([
      ["acme|google|spring-sale|contradicting_tracking", 1]
    ])
    expect(Object.keys(closed.state.groups)).toEqual([other])
  })

  it("several closed windows come back oldest first", () => {
    const run = feed([
      [alert(1, "b"), at(0)],
      [alert(2, "a"), at(1)],
      [alert(3, "b"), at(2)],
      [alert(4, "a"), at(3)]
    ])
    expect(due(run.state, at(200), HOUR).digests.map((d) => d.groupKey)).toEqual(["b", "a"])
  })

  it("the window comes from alerts.slack.groupWindow, 1h by default", () => {
    expect(groupWindowMs(undefined)).toBe(DEFAULT_GROUP_WINDOW_MS)
    expect(groupWindowMs({})).toBe(HOUR)
    expect(groupWindowMs({ groupWindow: "15m" })).toBe(900_000)
  })

  it("a digest becomes an alert of its own under a key of its own", () => {
    const run = feed([
      [alert(1), at(0)],
      [alert(2), at(10)]
    ])
    const [digest] = due(run.state, at(60), HOUR).digests
    const raised = repeatDigestAlert(digest!)
    expect(raised).toMatchObject({
      alertId: "repeat_digest:acme|google|spring-sale|contradicting_tracking:2026-03-10T10:00:00.000Z",
      problem: "repeat_digest",
      groupKey: "acme|google|spring-sale|contradicting_tracking|repeat_digest",
      company: "acme",
      partner: "google",
      campaign: "spring-sale",
      details: { digest }
    })
  })
})

describe("grouping properties", () => {
  const stream = fc.array(
    fc.record({ group: fc.constantFrom("g1", "g2", "g3"), gap: fc.integer({ min: 0, max: 45 }) }),
    { maxLength: 60 }
  )

  it("every alert is posted or counted once, and every count reaches exactly one digest", () => {
    fc.assert(
      fc.property(stream, (events) => {
        let state = emptyGrouping
        let minutes = 0
        let posted = 0
        let counted = 0
        let digested = 0
        events.forEach((e, i) => {
          minutes += e.gap
          const ticked = due(state, at(minutes), HOUR)
          digested += ticked.digests.reduce((n, d) => n + d.count, 0)
          const d = decide(ticked.state, alert(i, e.group), at(minutes), HOUR)
          digested += d.digests.reduce((n, x) => n + x.count, 0)
          if (d.action === "post") posted++
          if (d.action === "count") counted++
          state = d.state
        })
        digested += due(state, at(minutes + 61), HOUR).digests.reduce((n, d) => n + d.count, 0)
        expect(posted + counted).toBe(events.length)
        expect(digested).toBe(counted)
        // At most one post per group and window: never more posts than groups x elapsed hours + groups.
        expect(posted).toBeLessThanOrEqual(3 * (Math.floor(minutes / 60) + 1) + 3)
      })
    )
  })
})
