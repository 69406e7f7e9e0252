package dev.gatehouse.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemTrustOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens many TLS connections to a server and keeps them open and silent, to measure what idle connections cost the
 * server. Prints {@code open N} once every handshake completed, then holds the connections until standard input
 * closes.
 *
 * <p>Usage: {@code IdleConnections HOST PORT COUNT CA_FILE}
 */
public final class IdleConnections {

  /** Handshakes in flight at once: enough to be quick, few enough that none waits past the server's timeout. */
  private static final int CONCURRENT_HANDSHAKES = 64;

  private IdleConnections() {}

  public static void main(String[] args) throws Exception {
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    int count = Integer.parseInt(args[2]);
    Vertx vertx = Vertx.vertx();
    NetClient client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(60_000));
    ClientSSLOptions tls = new ClientSSLOptions().setHostnameVerificationAlgorithm("HTTPS")
        .setTrustOptions(new PemTrustOptions().addCertPath(args[3]));
    List<NetSocket> sockets = new ArrayList<>(count);
    AtomicInteger failures = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    Promise<Void> allOpen = Promise.promise();
    AtomicInteger settled = new AtomicInteger();
    Runnable[] openNext = new Runnable[1];
    openNext[0] = () -> {
      if (next.getAndIncrement() >= count) {
        return;
      }
      Future<NetSocket> connected = client.connect(new io.vertx.core.net.ConnectOptions().setHost(host).setPort(port)
          .setSsl(true).setSslOptions(tls).setSniServerName("localhost"));
      connected.onComplete(ar -> {
        if (ar.succeeded()) {
          synchronized (sockets) {
            sockets.add(ar.result());
          }
        } else if (failures.incrementAndGet() <= 5) {
          System.err.println("connection failed: " + ar.cause());
        }
        if (settled.incrementAndGet() == count) {
          allOpen.complete();
        }
        openNext[0].run();
      });
    };
    for (int i = 0; i < Math.min(CONCURRENT_HANDSHAKES, count); i++) {
      vertx.runOnContext(v -> openNext[0].run());
    }
    allOpen.future().await();
    System.out.println("open " + sockets.size() + " failed " + failures.get());
    System.out.flush();
    while (System.in.read() >= 0) {
      // hold until the caller closes our standard input
    }
    vertx.close().await();
  }
}
