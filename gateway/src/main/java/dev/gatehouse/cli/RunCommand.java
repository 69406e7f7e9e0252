package dev.gatehouse.cli;

import dev.gatehouse.config.ConfigException;
import dev.gatehouse.config.ConfigProblem;
import dev.gatehouse.config.GatewayConfig;
import dev.gatehouse.config.GatewayConfigLoader;
import dev.gatehouse.proxy.Gateway;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import sun.misc.Signal;
import picocli.CommandLine.Option;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Start the gateway with a configuration file.",
        "Exit codes: 0 stopped normally, 1 could not start, 2 invalid configuration."})
final class RunCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "gatehouse.yaml")
  Path config;

  @Override
  public Integer call() throws Exception {
    GatewayConfig cfg;
    try {
      cfg = GatewayConfigLoader.load(config);
    } catch (ConfigException e) {
      printProblems(e);
      return 2;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Handling TERM and INT ourselves (instead of only a shutdown hook) lets a clean stop exit with 0, not 143.
    // Installed before start-up, so a signal during start-up is not lost either.
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), signal -> stop.countDown());
    }
    Vertx vertx = GatewayRuntime.vertx();
    Gateway gateway;
    try {
      gateway = Gateway.start(vertx, cfg).await(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      System.err.println("gatehouse: cannot start: " + e.getMessage());
      vertx.close();
      return 1;
    }
    // SIGHUP reloads the policy directory now (it is also watched)
    Signal.handle(new Signal("HUP"), signal -> gateway.reloadPolicy("signal"));
    stop.await();
    try {
      gateway.stop().await(30, TimeUnit.SECONDS);
      vertx.close().await(10, TimeUnit.SECONDS);
      return 0;
    } catch (Exception e) {
      System.err.println("gatehouse: unclean shutdown: " + e.getMessage());
      return 1;
    }
  }

  static void printProblems(ConfigException e) {
    for (ConfigProblem p : e.problems()) {
      System.err.println(p);
    }
    System.err.println(e.problems().size() + (e.problems().size() == 1 ? " problem" : " problems"));
  }
}
