// A time-series line chart (uPlot: canvas, small, fast with thousands of points). The canvas is an
// image to assistive technology, described by `summary`; every chart sits next to a table with the
// same numbers.
import { useEffect, useRef } from "preact/hooks"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"

export interface Series {
  readonly label: string
  readonly values: ReadonlyArray<number>
  readonly color: string
}

export const Chart = (props: {
  title: string
  summary: string
  /** Unix seconds, ascending. */
  x: ReadonlyArray<number>
  series: ReadonlyArray<Series>
  height?: number
}) => {
  const ref = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = ref.current
    if (el === null) return
    const height = props.height ?? 240
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height,
        scales: { x: { time: true } },
        axes: [{ stroke: "#4b5563" }, { stroke: "#4b5563", size: 56 }],
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, points: { show: false } }))
        ]
      },
      [props.x as Array<number>, ...props.series.map((s) => s.values as Array<number>)],
      el
    )
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(300, el.clientWidth), height }))
    resize.observe(el)
    return () => {
      resize.disconnect()
      plot.destroy()
    }
  }, [props.x, props.series, props.height])
  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={ref} role="img" aria-label={props.summary} />
    </figure>
  )
}
