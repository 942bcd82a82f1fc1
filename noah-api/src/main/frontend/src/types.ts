// The API's bodies as the pages use them (docs/openapi.yaml is the whole truth).
export type Cluster = {
  name: string; idc: string; pool: string; labels: Record<string, string>; maintenance: boolean; source: string;
  status: { reachable: boolean; stale: boolean; cacheSynced: boolean; watching: boolean; kubernetesVersion: string | null; nodes: number; pods: number;
    deployments: number; error: string | null; probedAt: string | null; lastEventAt: string | null };
};
export type Counts = { name: string; desired: number; ready: number };
export type ReleaseEvent = { id: number; at: string; actor: string; type: string; from: string | null; to: string; step: number; target: number; reason: string | null };
export type Release = {
  id: string; app: string; namespace: string; version: string; state: string; step: number; target: number; lastStep: number; reason: string | null;
  pools: { pool: string; targetCanary: number; targetRunning: number; running: Counts | null; canary: Counts | null }[];
  plan: number[][]; createdBy: string; createdAt: string; updatedAt: string; finishedAt: string | null; history: ReleaseEvent[];
};
export type Pod = { cluster: string; idc: string | null; namespace: string; name: string; app: string | null; node: string | null; ip: string | null;
  phase: string | null; ready: boolean; restarts: number; terminating: boolean; createdAt: string | null; ownerName: string | null; labels: Record<string, string> };
export type Deployment = { cluster: string; idc: string | null; namespace: string; name: string; app: string | null; replicas: number; readyReplicas: number;
  availableReplicas: number; updatedReplicas: number; images: string[]; labels: Record<string, string> };
export type Page<T> = { items: T[]; continueToken: string | null; clusters: { cluster: string; reachable: boolean; synced: boolean; stale: boolean }[] };
export type App = { app: string; pods: number; readyPods: number;
  clusters: { cluster: string; idc: string; pods: number; readyPods: number; deployments: { namespace: string; name: string; replicas: number; readyReplicas: number; images: string[] }[] }[] };
export type Alert = { type: string; idc: string; ip: string; pods: string[]; since: string };
export type Publisher = { work: string; holder: string | null; localState: string; leaseLive: boolean; lastError: string | null; lastPublishedAt: string | null };
export type NodeOpNode = { cluster: string; node: string; rack: string; phase: string; evicted: number; blocked: string[]; error: string | null };
export type NodeOp = { id: string; action: string; state: string; createdBy: string; createdAt: string; reason: string | null; message: string | null;
  counts: Record<string, number>; nodes: NodeOpNode[] };
export type Node = { cluster: string; name: string; labels: Record<string, string>; ready: boolean; unschedulable: boolean; cpu: string | null; memory: string | null; internalIP: string | null; kubeletVersion: string | null };
export type StrategyResult = { name: string; desired: number | null; ratio: number; counted: number; missing: number; ignored: number; invalid: string | null };
export type Decision = { id: number; at: string; lastAt: string; pool: string; deployment: string | null; mode: string; current: number; proposed: number;
  desired: number; applied: boolean; reason: string; explanation: string; frozen: string | null; repeats: number; strategies: StrategyResult[] };
export type Autoscaler = { id: string; app: string; namespace: string; mode: string; pools: Record<string, { min: number; max: number }>;
  strategies: { name?: string; type?: string; target?: number }[]; latest: Decision[]; createdBy: string; updatedAt: string; version: number };
export type ExecGroup = { count: number; outcome: string; exitCode: number | null; stdout: string; stderr: string; reason: string | null; truncated: boolean; pods: string; diff: string[] };
export type ExecJob = { id: string; state: string; createdBy: string; createdAt: string; finishedAt: string | null; command: string[]; reason: string;
  total: number; finished: number; counts: Record<string, number>; fanOut: number; peakConcurrency: number; pods: string; groups: ExecGroup[] | null };
export type AuditEvent = { id: number; at: string; actor: string; action: string; target: string | null; outcome: number; reason: string | null };
export type Token = { id: string; name: string; role: string; apps: string[]; createdBy: string; createdAt: string; revokedAt: string | null };
