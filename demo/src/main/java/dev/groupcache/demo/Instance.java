package dev.groupcache.demo;

import com.google.gson.JsonObject;
import dev.groupcache.example.testing.ExampleNode;
import dev.groupcache.example.testing.ExampleNode.Quote;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;

/**
 * One instance of the example as the demo sees it: its name and addresses, and requests whose
 * failures say which instance failed, so that the report can show that instance's log.
 */
final class Instance {
  private final ExampleNode node;
  private final String httpAddress;
  private final String peerAddress;

  Instance(ExampleNode node, String httpAddress, String peerAddress) {
    this.node = node;
    this.httpAddress = httpAddress;
    this.peerAddress = peerAddress;
  }

  String name() {
    return node.name();
  }

  String httpAddress() {
    return httpAddress;
  }

  /** Its address on the ring: what answers name in {@code loadedBy} and {@code servedBy}. */
  String peerAddress() {
    return peerAddress;
  }

  ExampleNode node() {
    return node;
  }

  Quote quote(String symbol) throws Failure, InterruptedException {
    return ask("GET /quotes/" + symbol, () -> node.quote(symbol));
  }

  JsonObject stats() throws Failure, InterruptedException {
    return ask("GET /stats", node::stats);
  }

  /** The ring as this instance sees it. */
  List<String> peers() throws Failure, InterruptedException {
    return ask("GET /stats", node::peers);
  }

  /** The backend calls this instance made, per symbol. */
  Map<String, Long> loads() throws Failure, InterruptedException {
    return ask("GET /stats", node::loads);
  }

  private interface Request<T> {
    T send() throws IOException, InterruptedException;
  }

  /** {@code request}, its failure naming this instance and {@code what} was asked. */
  private <T> T ask(String what, Request<T> request) throws Failure, InterruptedException {
    try {
      return request.send();
    } catch (IOException e) {
      throw new Failure(this, what, e);
    }
  }

  /** A request to an instance that failed, or an instance that did not come up. */
  static final class Failure extends Exception {
    private final transient Instance instance;

    Failure(Instance instance, String what, Throwable cause) {
      super(describe(instance.name(), what, cause), cause);
      this.instance = instance;
    }

    private static String describe(String name, String what, Throwable cause) {
      if (cause == null) {
        return name + ": " + what;
      }
      if (ExampleNode.refused(cause)) {
        return name + ": " + what + ": connection refused";
      }
      if (cause instanceof HttpTimeoutException) {
        return name + ": " + what + ": no answer in time";
      }
      String message = cause.getMessage();
      if (message != null && message.startsWith(name + " ")) {
        return message.replaceFirst(":\\s*$", ""); // ExampleNode's own "node1 answered 500 to GET ..."
      }
      return name + ": " + what + ": " + cause;
    }

    Instance instance() {
      return instance;
    }
  }
}
