package io.lethe.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lethe.catalog.DatasetSpec;
import io.lethe.catalog.ModelCatalog;
import io.lethe.catalog.ModelSpec;
import io.lethe.records.LearnerKind;
import io.lethe.records.TrainingSample;
import io.lethe.schemas.serde.FloatList;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The feature checks give the same verdict and message whether the features are a decoded {@link
 * FloatList} (the ingress's and the job's readers) or any other list (a caller's own record).
 */
class SampleValidatorTest {
  private static final SampleValidator VALIDATOR =
      new SampleValidator(
          ModelCatalog.of(
              List.of(new DatasetSpec("tiny", 4, 3, 2.0)),
              List.of(ModelSpec.of("m", LearnerKind.ANALYTIC, "tiny"))));

  static List<Function<float[], List<Float>>> lists() {
    return List.of(
        FloatList::new,
        values -> {
          List<Float> boxed = new ArrayList<>();
          for (float v : values) {
            boxed.add(v);
          }
          return boxed;
        });
  }

  @ParameterizedTest
  @MethodSource("lists")
  void shouldAcceptFeaturesWithinTheBound(Function<float[], List<Float>> list) {
    assertThat(check(list.apply(new float[] {0f, -2f, 2f, 1.5f}))).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("lists")
  void shouldNameTheFirstNonFiniteFeature(Function<float[], List<Float>> list) {
    Optional<Rejection> rejection = check(list.apply(new float[] {0f, 1f, Float.NaN, 9f}));
    assertThat(rejection)
        .hasValueSatisfying(
            r -> {
              assertThat(r.code()).isEqualTo(SampleValidator.NON_FINITE_FEATURE);
              assertThat(r.message()).contains("at index 2: NaN");
            });
  }

  @ParameterizedTest
  @MethodSource("lists")
  void shouldNameTheFirstFeatureOutOfRange(Function<float[], List<Float>> list) {
    Optional<Rejection> rejection =
        check(list.apply(new float[] {0f, -2.5f, Float.POSITIVE_INFINITY, 0f}));
    assertThat(rejection)
        .hasValueSatisfying(
            r -> {
              assertThat(r.code()).isEqualTo(SampleValidator.FEATURE_OUT_OF_RANGE);
              assertThat(r.message()).contains("feature -2.5 at index 1");
            });
  }

  private static Optional<Rejection> check(List<Float> features) {
    return VALIDATOR.check(
        new TrainingSample(
            "s-1", "u-1", "tiny", "t1", features, 1, Instant.ofEpochMilli(0), Map.of()));
  }
}
