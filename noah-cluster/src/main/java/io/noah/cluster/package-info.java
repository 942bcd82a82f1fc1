/** Cluster registry, per-cluster fabric8 clients and caches, workload operations, exec, leases. */
package io.noah.cluster;
