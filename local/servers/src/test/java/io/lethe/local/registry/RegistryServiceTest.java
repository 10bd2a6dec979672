package io.lethe.local.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

/** The registry's rules without Kafka: the log is a list, or a log that fails. */
class RegistryServiceTest {

  private static final Schema ORDER =
      SchemaBuilder.record("Order").namespace("t").fields().requiredString("id").endRecord();
  private static final Schema ORDER_WITH_NOTE =
      SchemaBuilder.record("Order")
          .namespace("t")
          .fields()
          .requiredString("id")
          .optionalString("note")
          .endRecord();
  private static final Schema ORDER_WITHOUT_ID =
      SchemaBuilder.record("Order").namespace("t").fields().requiredLong("n").endRecord();

  private final List<StoreEvent> log = new ArrayList<>();
  private final RegistryState state = new RegistryState();
  private final RegistryService service = new RegistryService(state, log::add);

  @Test
  void shouldWriteToTheLogOnceForARepeatedRegistration() {
    int first = service.register("orders", request(ORDER));
    int second = service.register("orders", request(ORDER));

    assertThat(first).isEqualTo(1);
    assertThat(second).isEqualTo(1);
    assertThat(log)
        .containsExactly(
            new StoreEvent.SchemaWritten(new SchemaEntry("orders", 1, 1, ORDER.toString(), false)));
  }

  @Test
  void shouldRebuildTheSameStateFromItsLog() {
    service.register("orders", request(ORDER));
    service.register("orders", request(ORDER_WITH_NOTE));
    service.setLevel("orders", "full");
    service.deleteVersion("orders", RegistryService.versionRef("1"));

    RegistryState replayed = new RegistryState();
    log.forEach(replayed::apply);

    assertThat(replayed.versions("orders", true)).isEqualTo(state.versions("orders", true));
    assertThat(replayed.subjectLevel("orders")).contains(CompatibilityLevel.FULL);
    assertThat(replayed.nextId()).isEqualTo(3);
  }

  @Test
  void shouldLeaveStateUnchangedWhenTheLogRefusesAWrite() {
    RegistryState untouched = new RegistryState();
    RegistryService failing =
        new RegistryService(
            untouched,
            event -> {
              throw RegistryError.storeError("broker down", null);
            });

    RegistryError failure =
        catchThrowableOfType(RegistryError.class, () -> failing.register("orders", request(ORDER)));

    assertThat(failure.httpStatus).isEqualTo(500);
    assertThat(failure.errorCode).isEqualTo(50001);
    assertThat(failure).hasMessage("Error in the backend data store: broker down");
    assertThat(untouched.subjects(true)).isEmpty();
    assertThat(untouched.nextId()).isEqualTo(1);
  }

  @Test
  void shouldCheckForwardCompatibilityWithTheOldSchemaAsReader() {
    service.register("orders", request(ORDER));
    service.setLevel("orders", "FORWARD");

    // The old schema reads data without 'note' by ignoring it: forward compatible.
    assertThat(service.compatibilityProblems("orders", Optional.empty(), request(ORDER_WITH_NOTE)))
        .isEmpty();
    // The old schema needs 'id', which new data lacks.
    assertThat(service.compatibilityProblems("orders", Optional.empty(), request(ORDER_WITHOUT_ID)))
        .containsExactly(
            "version 1 cannot read data written with the new schema:"
                + " READER_FIELD_MISSING_DEFAULT_VALUE at '/fields/0': id");
  }

  @Test
  void shouldRefuseAnUnknownCompatibilityLevelWith42203() {
    RegistryError failure =
        catchThrowableOfType(RegistryError.class, () -> service.setLevel(null, "SIDEWAYS"));

    assertThat(failure.httpStatus).isEqualTo(422);
    assertThat(failure.errorCode).isEqualTo(42203);
    assertThat(failure).hasMessageContaining("'SIDEWAYS'");
    assertThat(log).isEmpty();
  }

  private static RegistryService.SchemaRequest request(Schema schema) {
    return new RegistryService.SchemaRequest(schema.toString(), null, false);
  }
}
