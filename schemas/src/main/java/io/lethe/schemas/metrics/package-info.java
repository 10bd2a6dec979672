/**
 * Prometheus exposition shared by the ingress and the model service: Kafka clients' own metrics
 * under Prometheus names, and a component's registry with the JVM's metrics.
 */
package io.lethe.schemas.metrics;
