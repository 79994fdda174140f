// deploy/kubernetes, checked offline: every manifest is valid against the Kubernetes and KEDA schemas
// (kubernetes-models, @kubernetes-models/keda), and they fit together: probes on /healthz and /readyz,
// disruption budgets and the scaler pointing at the Deployments that exist, migrations as a Job, every
// container non-root. (The scaler's query itself runs against PostgreSQL in kedaQuery.int.test.ts.)
import * as fs from "node:fs"
import * as path from "node:path"
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1"
import { Deployment } from "kubernetes-models/apps/v1"
import { Job } from "kubernetes-models/batch/v1"
import { PodDisruptionBudget } from "kubernetes-models/policy/v1"
import { ConfigMap, type IPodSpec, Service } from "kubernetes-models/v1"
import { describe, expect, it } from "vitest"
import { parseAllDocuments } from "yaml"

const DIR = "deploy/kubernetes"

interface Manifest {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string }
  readonly spec?: Record<string, unknown>
}

const models: Record<string, new (data: never) => { validate: () => void }> = {
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "v1/Service": Service,
  "v1/ConfigMap": ConfigMap,
  "keda.sh/v1alpha1/ScaledObject": ScaledObject,
  "keda.sh/v1alpha1/TriggerAuthentication": TriggerAuthentication
}

const kustomization = parseAllDocuments(fs.readFileSync(path.join(DIR, "kustomization.yaml"), "utf8"))[0]!.toJS() as {
  resources: Array<string>
}
const manifests: Array<Manifest> = kustomization.resources.flatMap((file) =>
  parseAllDocuments(fs.readFileSync(path.join(DIR, file), "utf8")).map((doc) => {
    expect(doc.errors, file).toEqual([])
    return doc.toJS() as Manifest
  })
)
const find = (kind: string, name: string): Manifest => {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name)
  if (found === undefined) throw new Error(`no ${kind} ${name} in ${DIR}`)
  return found
}
const podSpec = (m: Manifest) => (m.spec as { template: { spec: IPodSpec } }).template.spec

describe("deploy/kubernetes", () => {
  it("lists every manifest in kustomization.yaml, and each is valid against its schema", () => {
    const files = fs.readdirSync(DIR).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
    expect([...kustomization.resources].sort()).toEqual(files.sort())
    for (const m of manifests) {
      const Model = models[`${m.apiVersion}/${m.kind}`]
      expect(Model, `${m.apiVersion} ${m.kind} has a schema here`).toBeDefined()
      expect(() => new Model!(m as never).validate(), `${m.kind} ${m.metadata.name}`).not.toThrow()
    }
  })

  it("refuses what the schemas refuse (the check can fail)", () => {
    const api = structuredClone(find("Deployment", "s2s-api")) as unknown as { spec: { replicas: unknown } }
    api.spec.replicas = "two"
    expect(() => new Deployment(api as never).validate()).toThrow()
    const scaled = structuredClone(find("ScaledObject", "s2s-worker")) as unknown as { spec: Record<string, unknown> }
    delete scaled.spec.scaleTargetRef
    expect(() => new ScaledObject(scaled as never).validate()).toThrow()
  })

  it("runs the API and the worker with probes on /healthz and /readyz, non-root", () => {
    for (const [name, port, command] of [
      ["s2s-api", "http", ["node", "bin/s2s.js", "serve", "--api-only"]],
      ["s2s-worker", "metrics", ["node", "bin/s2s.js", "worker"]]
    ] as const) {
      const spec = podSpec(find("Deployment", name))
      const [container] = spec.containers
      expect(container!.command).toEqual(command)
      expect(container!.livenessProbe?.httpGet).toEqual({ path: "/healthz", port })
      expect(container!.readinessProbe?.httpGet).toEqual({ path: "/readyz", port })
      expect(spec.securityContext?.runAsNonRoot).toBe(true)
      expect(container!.envFrom?.map((e) => e.secretRef?.name ?? e.configMapRef?.name)).toEqual([
        "s2s-config",
        "s2s-env"
      ])
    }
    const migrate = find("Job", "s2s-migrate")
    expect(podSpec(migrate).containers[0]!.command).toEqual(["node", "bin/s2s.js", "migrate"])
  })

  it("points the disruption budgets, the Service and the scaler at the Deployments' pods", () => {
    const labels = (name: string) =>
      (find("Deployment", name).spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels
    const selects = (selector: Record<string, string>, name: string) =>
      Object.entries(selector).every(([k, v]) => labels(name)[k] === v)
    const pdb = (name: string) =>
      (find("PodDisruptionBudget", name).spec as { selector: { matchLabels: Record<string, string> } }).selector
        .matchLabels
    expect(selects(pdb("s2s-api"), "s2s-api")).toBe(true)
    expect(selects(pdb("s2s-worker"), "s2s-worker")).toBe(true)
    expect(selects((find("Service", "s2s-api").spec as { selector: Record<string, string> }).selector, "s2s-api")).toBe(
      true
    )
    const scaled = find("ScaledObject", "s2s-worker").spec as {
      scaleTargetRef: { name: string }
      triggers: Array<{ type: string; metadata: Record<string, string>; authenticationRef: { name: string } }>
    }
    expect(scaled.scaleTargetRef.name).toBe("s2s-worker")
    expect(scaled.triggers[0]).toMatchObject({ type: "postgresql", authenticationRef: { name: "s2s-postgres" } })
    expect(scaled.triggers[0]!.metadata.query).toContain("s2s_job_counts()")
    expect(find("TriggerAuthentication", "s2s-postgres").kind).toBe("TriggerAuthentication")
  })
})
