package dev.gatehouse.cli;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Vert.x instance the gateway runs on. */
final class GatewayRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(GatewayRuntime.class);

  /** {@code GATEHOUSE_NATIVE_TRANSPORT=false} keeps Java NIO even where Linux epoll is available. */
  static final String NATIVE_TRANSPORT = "GATEHOUSE_NATIVE_TRANSPORT";

  private GatewayRuntime() {}

  /** Vert.x on Linux epoll where it is available (cheaper I/O than Java NIO), else on NIO. */
  static Vertx vertx() {
    boolean preferNative = !"false".equalsIgnoreCase(System.getenv(NATIVE_TRANSPORT));
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(preferNative));
    if (preferNative && !vertx.isNativeTransportEnabled()) {
      LOG.info("native transport unavailable, using Java NIO: {}", vertx.unavailableNativeTransportCause().toString());
    }
    return vertx;
  }
}
