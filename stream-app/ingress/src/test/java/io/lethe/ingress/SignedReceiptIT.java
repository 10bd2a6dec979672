package io.lethe.ingress;

import static io.lethe.ingress.IngressDriver.affects;
import static io.lethe.ingress.IngressDriver.appliedBy;
import static io.lethe.ingress.IngressDriver.erasure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lethe.cli.Cli;
import io.lethe.ingress.verify.VerifyReceiptMain;
import io.lethe.records.ErasureGuarantee;
import io.lethe.records.ErasureReceipt;
import io.lethe.records.ReceiptStatus;
import io.lethe.schemas.snapshot.ReceiptSigner;
import io.lethe.schemas.snapshot.SigningKeys;
import io.lethe.schemas.topics.LetheTopics;
import io.lethe.schemas.topics.TopicNames;
import io.lethe.testing.Await;
import io.lethe.testing.KafkaExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ingress with {@code --signing-key} on a real KRaft broker: a completed request's receipt
 * passes {@code lethe verify-receipt} from the topic, from the status endpoint and from a saved
 * file, and the same receipt with one field changed fails, in a file and on the topic, as does the
 * unchanged receipt written under another request's id.
 */
class SignedReceiptIT {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension static final KafkaExtension kafka = new KafkaExtension();

  @TempDir Path dir;

  /** What a run of {@code lethe verify-receipt} printed and returned. */
  private record Ran(int code, String out, String err) {}

  private static Ran verify(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        VerifyReceiptMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Ran(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void shouldIssueReceiptsThatVerifyUntilAFieldIsChanged() throws Exception {
    SigningKeys.GeneratedKeys keys = SigningKeys.generate(dir.resolve("keys"));
    String trusted = keys.publicKey().toString();
    TopicNames names = TopicNames.defaults();
    LetheTopics topics = LetheTopics.create(names, kafka.registryClient());
    IngressApp.Connection connection =
        new IngressApp.Connection(
            "lethe-ingress-signed-it",
            kafka.bootstrapServers(),
            dir.resolve("state"),
            0,
            "localhost");
    try (IngressApp app =
        IngressApp.start(
            connection,
            topics,
            names,
            IngressDriver.CATALOG,
            IngressSettings.defaults(),
            ReceiptSigner.fromFile(keys.privateKey()))) {
      Await.until(
          "ingress running", BOUND, () -> app.streams().state() == KafkaStreams.State.RUNNING);
      kafka.produce(topics.erasuresRaw(), "u-1", erasure("r-signed", "u-1").build());
      kafka.consume(topics.erasures(), 1, BOUND);
      kafka.produce(
          topics.erasuresAffected(),
          "r-signed",
          affects("r-signed", "fmnist-analytic", "fmnist-hypernet"));
      kafka.produce(
          topics.erasuresApplied(), "r-signed", appliedBy("r-signed", "fmnist-analytic", 7));
      kafka.produce(
          topics.erasuresApplied(), "r-signed", appliedBy("r-signed", "fmnist-hypernet", 12));
      ConsumerRecord<String, ErasureReceipt> record =
          kafka.consume(topics.receipts(), 1, BOUND).get(0);
      ErasureReceipt receipt = record.value();
      assertThat(receipt.getStatus()).isEqualTo(ReceiptStatus.COMPLETED);
      assertThat(receipt.getSigningKeyId()).isEqualTo(keys.keyId());

      // From the topic.
      String[] fromTopic = {
        "--trusted-keys",
        trusted,
        "--bootstrap",
        kafka.bootstrapServers(),
        "--registry",
        kafka.registryUrl(),
        "--request-id",
        "r-signed"
      };
      Ran topic = verify(fromTopic);
      assertThat(topic.code()).as(topic.err()).isEqualTo(Cli.OK);
      assertThat(topic.out())
          .contains(
              "the receipt of erasure request 'r-signed' is signed by trusted key " + keys.keyId(),
              "model fmnist-analytic: EXACT, first version without the data 7",
              "model fmnist-hypernet: EXACT, first version without the data 12");

      // From the status endpoint, and as a file saved from it.
      String url = "http://127.0.0.1:" + app.httpPort().orElseThrow();
      Ran http = verify("--trusted-keys", trusted, "--status-url", url, "--request-id", "r-signed");
      assertThat(http.code()).as(http.err()).isEqualTo(Cli.OK);
      assertThat(http.out()).isEqualTo(topic.out());
      String body =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "/v1/erasures/r-signed"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      ObjectNode json = (ObjectNode) JSON.readTree(body);
      assertThat(Base64.getDecoder().decode(json.get("signature").asText()))
          .isEqualTo(receipt.getSignature().array());
      Path saved = Files.writeString(dir.resolve("r-signed.json"), body);
      Ran file = verify("--trusted-keys", trusted, "--file", saved.toString());
      assertThat(file.code()).as(file.err()).isEqualTo(Cli.OK);

      // The saved receipt with the first version without the data changed fails.
      ((ObjectNode) json.get("models").get(0)).put("firstVersionWithout", 6);
      Path tampered =
          Files.writeString(dir.resolve("tampered.json"), JSON.writeValueAsString(json));
      Ran changedFile = verify("--trusted-keys", trusted, "--file", tampered.toString());
      assertThat(changedFile.code()).isEqualTo(Cli.FAILED);
      assertThat(changedFile.err()).contains("does not match its signature by key " + keys.keyId());

      // A receipt written to the topic with the guarantee changed and the signature kept fails.
      ErasureReceipt forged = ErasureReceipt.newBuilder(receipt).build();
      forged.getModels().get(1).setGuarantee(ErasureGuarantee.APPROXIMATE);
      kafka.produce(topics.receipts(), "r-signed", forged);
      Ran changedTopic = verify(fromTopic);
      assertThat(changedTopic.code()).isEqualTo(Cli.FAILED);
      assertThat(changedTopic.err().strip())
          .isEqualTo(
              "lethe verify-receipt: the receipt of erasure request 'r-signed' does not match its"
                  + " signature by key "
                  + keys.keyId()
                  + ": it was changed after it was signed");

      // An unchanged receipt written under another request's id does not pass for that request.
      kafka.produce(topics.receipts(), "r-other", receipt);
      fromTopic[fromTopic.length - 1] = "r-other";
      Ran replayed = verify(fromTopic);
      assertThat(replayed.code()).isEqualTo(Cli.FAILED);
      assertThat(replayed.err().strip())
          .isEqualTo(
              "lethe verify-receipt: the receipt on lethe.receipts under key 'r-other' is for"
                  + " erasure request 'r-signed', not 'r-other'");

      fromTopic[fromTopic.length - 1] = "r-unknown";
      Ran unknown = verify(fromTopic);
      assertThat(unknown.code()).isEqualTo(Cli.FAILED);
      assertThat(unknown.err().strip())
          .isEqualTo(
              "lethe verify-receipt: no committed receipt of erasure request 'r-unknown' on"
                  + " lethe.receipts yet");
    }
  }
}
