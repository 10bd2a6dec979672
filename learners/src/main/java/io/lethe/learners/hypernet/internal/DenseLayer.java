package io.lethe.learners.hypernet.internal;

import ai.djl.ndarray.NDArray;

/**
 * One fully connected layer, {@code y = x W + b}, with W of shape {@code inputs x outputs}.
 *
 * @param weight the weight matrix
 * @param bias the bias vector
 */
public record DenseLayer(NDArray weight, NDArray bias) {}
