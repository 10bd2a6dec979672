package io.lethe.schemas.topics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TopicNamesTest {
  @Test
  void shouldUseTheDesignDocumentsNamesByDefault() {
    TopicNames names = TopicNames.defaults();
    assertThat(names.samplesRaw()).isEqualTo("lethe.samples.raw");
    assertThat(names.samples()).isEqualTo("lethe.samples");
    assertThat(names.erasuresRaw()).isEqualTo("lethe.erasures.raw");
    assertThat(names.erasures()).isEqualTo("lethe.erasures");
    assertThat(names.erasuresAffected()).isEqualTo("lethe.erasures.affected");
    assertThat(names.erasuresApplied()).isEqualTo("lethe.erasures.applied");
    assertThat(names.receipts()).isEqualTo("lethe.receipts");
    assertThat(names.models()).isEqualTo("lethe.models");
    assertThat(names.deadLetter()).isEqualTo("lethe.deadletter");
    assertThat(names.learnerStatus()).isEqualTo("lethe.learner.status");
  }

  @Test
  void shouldRejectAnIllegalTopicNameNamingTheField() {
    TopicNames d = TopicNames.defaults();
    assertThatThrownBy(
            () ->
                new TopicNames(
                    d.samplesRaw(),
                    d.samples(),
                    d.erasuresRaw(),
                    d.erasures(),
                    d.erasuresAffected(),
                    d.erasuresApplied(),
                    "receipts with spaces",
                    d.models(),
                    d.deadLetter(),
                    d.learnerStatus()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "receipts topic name 'receipts with spaces' is not a legal Kafka topic name (1-249"
                + " characters of a-z A-Z 0-9 . _ -)");
  }
}
