package io.lethe.schemas.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating the topics a component finds missing at start-up, on an open broker or a secured one. On
 * a secured cluster an administrator creates Lethe's topics and each component holds only the
 * rights to the topics it uses ({@link LetheAcls}), so a topic it may not see looks missing and it
 * may not create it: that topic is left alone.
 */
public final class TopicCreation {
  private static final Logger LOG = LoggerFactory.getLogger(TopicCreation.class);

  private TopicCreation() {}

  /**
   * Creates {@code topics}, skipping those that exist already and those the principal may not
   * create (logged at INFO).
   *
   * @return the names of the topics created
   * @throws ExecutionException on any other failure, e.g. an invalid topic configuration
   */
  public static List<String> createPermitted(Admin admin, List<NewTopic> topics, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> created = new ArrayList<>();
    if (topics.isEmpty()) {
      return created;
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(topics).values();
    for (Map.Entry<String, KafkaFuture<Void>> result : results.entrySet()) {
      try {
        result.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        created.add(result.getKey());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof TopicExistsException) {
          continue;
        }
        if (e.getCause() instanceof TopicAuthorizationException) {
          LOG.info(
              "Not allowed to create topic {}: on a secured cluster an administrator creates it",
              result.getKey());
          continue;
        }
        throw e;
      }
    }
    if (!created.isEmpty()) {
      LOG.info("Created topics {}", created);
    }
    return created;
  }
}
