package dev.gatehouse.demo;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.proxy.Gateway;
import dev.gatehouse.tls.DevCertificates;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The embedded demo, run by {@code gatehouse dev} from the repository root:
 * <ul>
 *   <li>{@code gatehouse dev}: development certificates, the demo IdP, the demo app and the gateway, until stopped;
 *   <li>{@code gatehouse dev token USER}: a fresh access token for a demo user from the running demo, on stdout.
 * </ul>
 */
public final class DemoMain {

  static final Path CERTIFICATES = Path.of("certs-dev");
  static final Path POLICIES = Path.of("policies");
  static final String COMMAND = "java -jar gateway/target/gatehouse.jar dev";

  private DemoMain() {}

  public static void main(String[] args) {
    if (args.length == 0) {
      System.exit(runDemo());
    } else if (args.length == 2 && args[0].equals("token")) {
      System.exit(printToken(args[1]));
    } else {
      System.err.println("usage: gatehouse dev              start the demo\n"
          + "       gatehouse dev token USER   print a fresh access token for a demo user ("
          + String.join(", ", DemoUsers.names()) + ")");
      System.exit(2);
    }
  }

  /** Prints only the token on stdout, so that {@code $(gatehouse dev token alice)} works. */
  private static int printToken(String user) {
    try {
      System.out.println(DemoTokenClient.trusting(CERTIFICATES.resolve("ca.crt")).accessToken(user));
      return 0;
    } catch (DemoTokenClient.NotRunningException e) {
      System.err.println("gatehouse dev: the demo is not running; start it with: " + COMMAND);
      return 1;
    } catch (DemoTokenClient.RefusedException e) {
      System.err.println("gatehouse dev: no token for '" + user + "': " + e.getMessage());
      return 1;
    } catch (Exception e) {
      System.err.println("gatehouse dev: cannot get a token from " + DemoIdentityProvider.TOKEN_ENDPOINT + ": " + e);
      return 1;
    }
  }

  /** Starts everything and blocks until the process is stopped; returns only if the demo could not start. */
  private static int runDemo() {
    if (!Files.isDirectory(POLICIES)) {
      System.err.println("gatehouse dev: no ./policies directory in " + Path.of("").toAbsolutePath()
          + "; run the demo from the repository root");
      return 1;
    }
    Vertx vertx = Vertx.vertx();
    DemoIdentityProvider idp = null;
    HttpServer app = null;
    Gateway gateway = null;
    Map<String, String> tokens = new LinkedHashMap<>();
    String step = "generate the development certificates";
    try {
      System.err.println("gatehouse dev: development certificates in " + CERTIFICATES
          + " (RSA-4096; generating missing ones takes a few seconds)");
      DevCertificates certificates = DevCertificates.in(CERTIFICATES, 4096);
      certificates.ca();
      DevCertificates.Issued server = certificates.server("server", List.of("localhost"), List.of("127.0.0.1", "::1"));
      certificates.client(DemoConfig.ADMIN_CLIENT, "demo-operator");
      step = "start the demo IdP on 127.0.0.1:" + DemoIdentityProvider.PORT;
      idp = DemoIdentityProvider.start(server);
      step = "start the demo app on " + DemoApp.HOST + ":" + DemoApp.PORT;
      app = DemoApp.start(vertx).await(30, TimeUnit.SECONDS);
      step = "start the gateway on 127.0.0.1:" + DemoConfig.GATEWAY_PORT;
      Path config = DemoConfig.write(CERTIFICATES, POLICIES);
      gateway = Gateway.start(vertx, GatewayConfigLoader.load(config)).await(2, TimeUnit.MINUTES);
      step = "get tokens for the demo users";
      DemoTokenClient tokenClient = DemoTokenClient.trusting(CERTIFICATES.resolve("ca.crt"));
      for (String user : DemoUsers.names()) {
        tokens.put(user, tokenClient.accessToken(user));
      }
    } catch (Exception e) {
      String reason = e instanceof ConfigException ? "\n" + e.getMessage() : e.getMessage();
      System.err.println("gatehouse dev: cannot " + step + ": " + (reason == null ? e.toString() : reason)
          + (reason != null && reason.contains("in use") ? " (is the demo already running?)" : ""));
      if (gateway != null) {
        gateway.stop().await();
      }
      if (idp != null) {
        idp.close();
      }
      vertx.close().await();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stop(vertx, gateway, app, idp), "gatehouse-demo-stop"));
    System.out.print(banner(tokens));
    System.out.flush();
    try {
      new CountDownLatch(1).await(); // until SIGINT/SIGTERM; the shutdown hook stops everything
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  private static Runnable stop(Vertx vertx, Gateway gateway, HttpServer app, DemoIdentityProvider idp) {
    return () -> {
      try {
        gateway.stop().await(30, TimeUnit.SECONDS);
        app.close().await(10, TimeUnit.SECONDS);
        idp.close();
        vertx.close().await(10, TimeUnit.SECONDS);
        System.err.println("gatehouse dev: stopped");
      } catch (Exception e) {
        System.err.println("gatehouse dev: unclean stop: " + e);
      }
    };
  }

  static String banner(Map<String, String> tokens) {
    String gateway = "https://localhost:" + DemoConfig.GATEWAY_PORT;
    StringBuilder b = new StringBuilder();
    b.append("Gatehouse demo is running on ").append(gateway).append(" (Ctrl-C to stop)\n\n");
    b.append("  identity provider  ").append(DemoIdentityProvider.ISSUER)
        .append("   demo users: ").append(String.join(", ", DemoUsers.names())).append('\n');
    b.append("  demo app           http://").append(DemoApp.HOST).append(':').append(DemoApp.PORT)
        .append("          reached only through the gateway\n");
    b.append("  configuration      ").append(CERTIFICATES.resolve(DemoConfig.FILE_NAME)).append('\n');
    b.append("  policies           ").append(POLICIES).append("/\n\n");
    b.append("Try it in a browser: open ").append(gateway).append("/ and sign in as a demo user (the browser must trust\n")
        .append(CERTIFICATES.resolve("ca.crt")).append(", or accept its warning about the development certificate).\n")
        .append("Sign out at ").append(gateway).append("/.gatehouse/logout\n\n");
    b.append("Or in a shell in this directory. Tokens for the demo users (valid for ")
        .append(DemoIdentityProvider.TOKEN_LIFETIME.toMinutes()).append(" minutes):\n\n");
    tokens.forEach((user, token) ->
        b.append("export ").append(user.toUpperCase(Locale.ROOT)).append("_TOKEN=").append(token).append('\n'));
    b.append('\n');
    String cacert = "curl --cacert " + CERTIFICATES.resolve("ca.crt");
    b.append(example("alice has the billing permission", 200, cacert, "ALICE", "GET", "/billing/invoices"));
    b.append(example("bob lacks it", 403, cacert, "BOB", "GET", "/billing/invoices"));
    b.append(example("no token", 401, cacert, null, "GET", "/billing/invoices"));
    b.append(example("alice (support, tenant acme) reads her own tenant's users", 200, cacert, "ALICE", "GET",
        "/tenants/acme/users"));
    b.append(example("but never another tenant's", 403, cacert, "ALICE", "GET", "/tenants/globex/users"));
    b.append(example("mallory has no permissions, even in her own tenant", 403, cacert, "MALLORY", "GET",
        "/tenants/acme/users"));
    b.append(example("carol, an admin who signed in with a hardware key (MFA), changes settings", 200, cacert, "CAROL",
        "PUT", "/settings/smtp"));
    b.append(example("bob sends a manual message", 200, cacert, "BOB", "POST", "/messages/manual/send"));
    b.append(example("public pages need no token", 200, cacert, null, "GET", "/public/status"));
    String admin = "https://localhost:" + DemoConfig.ADMIN_PORT;
    String client = CERTIFICATES.resolve(DemoConfig.ADMIN_CLIENT).toString();
    b.append("# the admin listener: health and readiness answer anyone: 200\n")
        .append(cacert).append(' ').append(admin).append("/readyz\n\n");
    b.append("# Prometheus metrics, the policy in force, reloads and the live event stream need the admin client "
        + "certificate: 200\n").append(cacert).append(" --cert ").append(client).append(".crt --key ").append(client)
        .append(".key ").append(admin).append("/metrics\n\n");
    b.append("# without it: 403\n").append(cacert).append(' ').append(admin).append("/metrics\n\n");
    b.append("# watch denied requests as they happen (Ctrl-C to stop):\n#   ").append(cacert).append(" -N --cert ")
        .append(client).append(".crt --key ").append(client).append(".key '").append(admin)
        .append("/events?decision=deny'\n\n");
    b.append("# a fresh token while the demo runs:\n");
    b.append("#   export ALICE_TOKEN=$(").append(COMMAND).append(" token alice)\n\n");
    b.append("Access events follow, one JSON line per request:\n");
    return b.toString();
  }

  private static String example(String comment, int status, String curl, String tokenVariable, String method,
      String path) {
    StringBuilder line = new StringBuilder("# ").append(comment).append(": ").append(status).append('\n').append(curl);
    if (!method.equals("GET")) {
      line.append(" -X ").append(method);
    }
    if (tokenVariable != null) {
      line.append(" -H \"Authorization: Bearer $").append(tokenVariable).append("_TOKEN\"");
    }
    return line.append(" https://localhost:").append(DemoConfig.GATEWAY_PORT).append(path).append("\n\n").toString();
  }
}
