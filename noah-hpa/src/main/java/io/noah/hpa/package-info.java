/** The custom autoscaler (capability 3). */
package io.noah.hpa;
