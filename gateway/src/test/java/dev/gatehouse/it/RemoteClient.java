package dev.gatehouse.it;

import dev.gatehouse.testing.TestGateway;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.TimeUnit;

/** Requests to a gateway running in another process (see GatewayProcess). */
final class RemoteClient {

  private static final Vertx VERTX = Vertx.vertx();
  private static final HttpClient CLIENT = VERTX.createHttpClient(TestGateway.clientOptions());

  private RemoteClient() {}

  static TestGateway.Response get(int port, String uri, String token) throws Exception {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("localhost").setPort(port).setURI(uri);
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    // body() is asked for in the callback of send() itself, on the response's own context; chained one level
    // further out it can come after the body has arrived, and the body is lost (Vert.x 5 client)
    return CLIENT.request(options)
        .compose(request -> request.send()
            .compose(r -> r.body().map(b -> new TestGateway.Response(r.statusCode(),
                MultiMap.caseInsensitiveMultiMap().addAll(r.headers()), b.toString()))))
        .await(30, TimeUnit.SECONDS);
  }
}
