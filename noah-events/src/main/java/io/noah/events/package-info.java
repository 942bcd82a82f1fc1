/** Leader-elected multi-cluster watch that publishes to Kafka (capability 4). */
package io.noah.events;
