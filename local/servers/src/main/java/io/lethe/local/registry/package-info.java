/**
 * An embedded, Confluent-compatible schema registry (Avro only) whose state lives in a compacted
 * Kafka topic.
 *
 * <p>Design notes and limits:
 *
 * <ul>
 *   <li>The topic is the source of truth. A change is produced with {@code acks=all} and applied to
 *       memory only after Kafka acknowledges it; start-up replays the topic to its end offset. A
 *       write that times out may still have reached Kafka, so a restart can show a registration the
 *       client was told failed (the client's retry then finds it and returns the same id).
 *   <li>One instance per topic. The topic is read only at start-up, so two live instances on one
 *       topic would hand out the same ids. Confluent solves this with leader election; Lethe's
 *       embedded mode runs a single registry and does not need it.
 *   <li>Records use Confluent's key and value JSON for SCHEMA and CONFIG keys; other key types
 *       (NOOP, MODE, DELETE_SUBJECT...) are skipped on replay, malformed records stop the start-up.
 *   <li>Hard deletes ({@code ?permanent=true}) are refused with HTTP 501: compaction would then
 *       drop the record of the highest id, and a restart could hand that id out again.
 *   <li>Not implemented: schema references, PROTOBUF and JSON schemas, modes, contexts, and
 *       deleting config.
 * </ul>
 */
package io.lethe.local.registry;
