package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StoreRecordCodecTest {

  private final StoreRecordCodec codec = new StoreRecordCodec();

  @Test
  void shouldWriteSchemaRecordsInConfluentsLayout() {
    SchemaEntry entry = new SchemaEntry("orders-value", 2, 7, "\"string\"", false);

    StoreRecordCodec.KeyValue record = codec.encode(new StoreEvent.SchemaWritten(entry));

    assertThat(text(record.key()))
        .isEqualTo(
            "{\"keytype\":\"SCHEMA\",\"subject\":\"orders-value\",\"version\":2,\"magic\":1}");
    assertThat(text(record.value()))
        .isEqualTo(
            "{\"subject\":\"orders-value\",\"version\":2,\"id\":7,\"schema\":\"\\\"string\\\"\","
                + "\"deleted\":false}");
  }

  @Test
  void shouldWriteGlobalAndSubjectConfigRecordsInConfluentsLayout() {
    StoreRecordCodec.KeyValue global =
        codec.encode(new StoreEvent.ConfigWritten(null, CompatibilityLevel.FULL));
    StoreRecordCodec.KeyValue subject =
        codec.encode(new StoreEvent.ConfigWritten("orders-value", CompatibilityLevel.NONE));

    assertThat(text(global.key()))
        .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}");
    assertThat(text(global.value())).isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
    assertThat(text(subject.key()))
        .isEqualTo("{\"keytype\":\"CONFIG\",\"subject\":\"orders-value\",\"magic\":0}");
    assertThat(text(subject.value())).isEqualTo("{\"compatibilityLevel\":\"NONE\"}");
  }

  @Test
  void shouldReadBackWhatItWrites() {
    StoreEvent[] events = {
      new StoreEvent.SchemaWritten(new SchemaEntry("a", 1, 1, "\"int\"", true)),
      new StoreEvent.SchemaErased("a", 1),
      new StoreEvent.ConfigWritten(null, CompatibilityLevel.FORWARD_TRANSITIVE),
      new StoreEvent.ConfigWritten("a", CompatibilityLevel.BACKWARD),
      new StoreEvent.ConfigErased("a"),
    };

    for (StoreEvent event : events) {
      StoreRecordCodec.KeyValue record = codec.encode(event);
      assertThat(codec.decode(record.key(), record.value())).contains(event);
    }
  }

  @Test
  void shouldSkipKeyTypesItDoesNotUse() {
    Optional<StoreEvent> noop =
        codec.decode(bytes("{\"keytype\":\"NOOP\",\"magic\":0}"), bytes("{}"));

    assertThat(noop).isEmpty();
  }

  @Test
  void shouldRefuseMalformedRecordsSayingWhatIsWrong() {
    assertThatThrownBy(() -> codec.decode(bytes("not json"), bytes("{}")))
        .isInstanceOf(StoreRecordCodec.MalformedRecordException.class)
        .hasMessageStartingWith("key is not JSON");
    assertThatThrownBy(
            () ->
                codec.decode(
                    bytes("{\"keytype\":\"SCHEMA\",\"subject\":\"a\",\"version\":1,\"magic\":1}"),
                    bytes("{\"subject\":\"a\",\"version\":1,\"schema\":\"\\\"int\\\"\"}")))
        .isInstanceOf(StoreRecordCodec.MalformedRecordException.class)
        .hasMessage("value has no integer field 'id'");
    assertThatThrownBy(
            () ->
                codec.decode(
                    bytes("{\"keytype\":\"CONFIG\",\"subject\":null,\"magic\":0}"),
                    bytes("{\"compatibilityLevel\":\"SIDEWAYS\"}")))
        .isInstanceOf(StoreRecordCodec.MalformedRecordException.class)
        .hasMessage("unknown compatibilityLevel 'SIDEWAYS'");
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
