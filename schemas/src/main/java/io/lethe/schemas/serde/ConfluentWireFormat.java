package io.lethe.schemas.serde;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format: a magic byte 0, the schema id as a 4-byte big-endian int, then the
 * Avro binary encoding of the record.
 *
 * @see <a
 *     href="https://docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/index.html#wire-format">Confluent
 *     wire format</a>
 */
public final class ConfluentWireFormat {
  /** The only magic byte defined so far. */
  public static final byte MAGIC_BYTE = 0;

  /** Magic byte plus schema id. */
  public static final int HEADER_SIZE = 1 + Integer.BYTES;

  private ConfluentWireFormat() {}

  /** Writes the 5-byte header for {@code schemaId} at the buffer's position. */
  static void writeHeader(ByteBuffer buffer, int schemaId) {
    buffer.put(MAGIC_BYTE).putInt(schemaId);
  }

  /**
   * Reads and checks the header of {@code payload}.
   *
   * @return the schema id
   * @throws WireFormatException if the payload is too short or the magic byte is wrong
   */
  static int readSchemaId(String topic, byte[] payload) {
    if (payload.length < HEADER_SIZE) {
      throw new WireFormatException(
          topic,
          "payload of "
              + payload.length
              + " bytes is shorter than the "
              + HEADER_SIZE
              + "-byte header (magic byte + schema id)");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new WireFormatException(
          topic,
          String.format(
              "unknown magic byte 0x%02x (expected 0x00): not Confluent-framed Avro",
              payload[0] & 0xff));
    }
    return ByteBuffer.wrap(payload, 1, Integer.BYTES).getInt();
  }
}
