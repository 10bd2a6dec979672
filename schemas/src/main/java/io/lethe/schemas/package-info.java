/**
 * Lethe's records on the wire: Avro serdes, the schema registry client and the embedded registry.
 */
package io.lethe.schemas;
