package io.lethe.catalog;

import java.io.Serializable;

/**
 * A dataset that models learn from: what a valid sample of it looks like.
 *
 * @param name dataset name, as in {@code TrainingSample.dataset}
 * @param features number of features every sample has
 * @param classes labels lie in {@code [0, classes)}
 */
public record DatasetSpec(String name, int features, int classes) implements Serializable {}
