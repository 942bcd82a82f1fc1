/** Canary batch releases with two Deployments (capability 2); see the release issue. */
package io.noah.release;
