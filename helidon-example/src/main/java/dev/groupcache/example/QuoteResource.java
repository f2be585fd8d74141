package dev.groupcache.example;

import static dev.groupcache.example.Jsons.JSON;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.StringReader;
import java.util.regex.Pattern;

/**
 * {@code GET /quotes/{symbol}}: a quote, cached across the cluster; the answer says which node
 * loaded it and which served it. {@code DELETE /quotes/{symbol}} drops it everywhere.
 */
@Path("/quotes")
@ApplicationScoped
public class QuoteResource {
  private static final Pattern SYMBOL = Pattern.compile("[A-Za-z0-9.\\-]{1,32}");

  private final QuoteCache quotes;
  private final NodeStatus node;

  @Inject
  QuoteResource(QuoteCache quotes, NodeStatus node) {
    this.quotes = quotes;
    this.node = node;
  }

  /** For CDI's proxy. */
  QuoteResource() {
    this.quotes = null;
    this.node = null;
  }

  @GET
  @Path("/{symbol}")
  @Produces(MediaType.APPLICATION_JSON)
  public JsonObject get(@PathParam("symbol") String symbol) {
    long start = System.nanoTime();
    String quote = quotes.get(checked(symbol));
    try (JsonReader reader = JSON.createReader(new StringReader(quote))) {
      return JSON.createObjectBuilder(reader.readObject())
          .add("servedBy", node.self())
          .add("micros", (System.nanoTime() - start) / 1_000)
          .build();
    }
  }

  @DELETE
  @Path("/{symbol}")
  public Response remove(@PathParam("symbol") String symbol) {
    return quotes.remove(checked(symbol)) ? Response.noContent().build() : Response.status(404).build();
  }

  private static String checked(String symbol) {
    if (!SYMBOL.matcher(symbol).matches()) {
      throw new WebApplicationException("a symbol is 1 to 32 letters, digits, dots or dashes", 400);
    }
    return symbol;
  }
}
