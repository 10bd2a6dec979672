package io.lethe.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.records.ErasureRequest;
import io.lethe.records.ErasureScope;
import io.lethe.records.TrainingSample;
import io.lethe.testing.TestRecords;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordRulesTest {
  private static final ModelCatalog CATALOG =
      ModelCatalog.parse(
          """
          datasets:
            - {name: fashion-mnist, features: 3, classes: 2}
            - {name: other, features: 5, classes: 4}
          models:
            - {name: fmnist-analytic, learner: analytic, dataset: fashion-mnist}
            - {name: other-model, learner: analytic, dataset: other}
          """,
          "test");
  private final RecordRules rules = new RecordRules(CATALOG);

  @Test
  void shouldAcceptValidRecords() {
    assertThat(rules.problemWith(TestRecords.trainingSample("s-1", "u-1"))).isEmpty();
    assertThat(rules.problemWith(TestRecords.erasureRequest("r-1", "u-1"))).isEmpty();
  }

  @Test
  void shouldRejectWrongFeatureCount() {
    TrainingSample sample = TestRecords.trainingSample("s-17", "u-1");
    sample.setFeatures(List.of(0f, 1f));
    assertThat(rules.problemWith(sample))
        .contains("sample s-17 of dataset fashion-mnist has 2 features, expected 3");
  }

  @Test
  void shouldRejectNonFiniteFeature() {
    TrainingSample sample = TestRecords.trainingSample("s-1", "u-1");
    sample.setFeatures(List.of(0f, Float.NaN, 1f));
    assertThat(rules.problemWith(sample)).contains("sample s-1 has non-finite feature 1 (NaN)");
  }

  @Test
  void shouldRejectLabelOutOfRange() {
    TrainingSample sample = TestRecords.trainingSample("s-1", "u-1");
    sample.setLabel(2);
    assertThat(rules.problemWith(sample))
        .contains("sample s-1 has label 2, expected 0 to 1 for dataset fashion-mnist");
  }

  @Test
  void shouldRejectUnknownDatasetAndMissingIds() {
    TrainingSample unknown = TestRecords.trainingSample("s-1", "u-1");
    unknown.setDataset("mnist");
    assertThat(rules.problemWith(unknown))
        .contains("sample s-1 names unknown dataset mnist; the catalog has [fashion-mnist, other]");
    TrainingSample noSubject = TestRecords.trainingSample("s-1", " ");
    assertThat(rules.problemWith(noSubject)).contains("sample s-1 has no subjectId");
    TrainingSample noId = TestRecords.trainingSample("", "u-1");
    assertThat(rules.problemWith(noId)).contains("sample has no sampleId");
  }

  @Test
  void shouldRequireOneSubjectPerSubjectErasure() {
    ErasureRequest request = TestRecords.erasureRequest("r-1", "u-1");
    request.setIds(List.of("u-1", "u-2"));
    assertThat(rules.problemWith(request))
        .contains(
            "erasure request r-1 of scope SUBJECT names 2 subjects; send one request per subject");
    request.setIds(List.of("u-1"));
    request.setSubjectId("u-9");
    assertThat(rules.problemWith(request))
        .contains("erasure request r-1 of scope SUBJECT erases u-1 but its subjectId is u-9");
  }

  @Test
  void shouldRequireTheSubjectOfASampleErasure() {
    ErasureRequest request = TestRecords.erasureRequest("r-1", "u-1");
    request.setScope(ErasureScope.SAMPLE);
    request.setIds(List.of("s-1"));
    assertThat(rules.problemWith(request))
        .contains("erasure request r-1 of scope SAMPLE needs the subjectId the samples belong to");
    request.setSubjectId("u-1");
    assertThat(rules.problemWith(request)).isEmpty();
    assertThat(RecordRules.subjectOf(request)).isEqualTo("u-1");
  }

  @Test
  void shouldRejectUnknownOrMismatchedModelFilters() {
    ErasureRequest request = TestRecords.erasureRequest("r-1", "u-1");
    request.setModels(List.of("nope"));
    assertThat(rules.problemWith(request)).contains("erasure request r-1 names unknown model nope");
    request.setModels(List.of("other-model"));
    assertThat(rules.problemWith(request))
        .contains(
            "erasure request r-1 names model other-model, which learns other, not fashion-mnist");
  }

  @Test
  void shouldRejectMissingRequesterAndEmptyIds() {
    ErasureRequest noRequester = TestRecords.erasureRequest("r-1", "u-1");
    noRequester.setRequester("");
    assertThat(rules.problemWith(noRequester)).contains("erasure request r-1 has no requester");
    ErasureRequest noIds = TestRecords.erasureRequest("r-2", "u-1");
    noIds.setIds(Collections.emptyList());
    assertThat(rules.problemWith(noIds)).contains("erasure request r-2 names no ids to erase");
    ErasureRequest blank = TestRecords.erasureRequest("r-3", "u-1");
    blank.setScope(ErasureScope.TASK);
    blank.setIds(new ArrayList<>(List.of("0", " ")));
    assertThat(rules.problemWith(blank)).contains("erasure request r-3 has a blank id");
  }
}
